// Conformance, section 2 (after Autobahn|Testsuite): pings and pongs, and the rules for control
// frames (RFC 6455 §5.5).
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import { concatBytes } from "./_raw_peer.ts";
import { type Case, defineCases, expectFailure, expectPong, expectTextEcho } from "./_suite.ts";

const _encoder = new TextEncoder();

function _bytes(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

const cases: Case[] = [
  {
    name: "2.1 a ping without payload is answered with an empty pong",
    async run(s) {
      await s.peer.send({ opcode: OPCODE.PING });
      await expectPong(s, new Uint8Array(0));
    },
  },
  {
    name: "2.2 a ping's text payload is echoed in the pong",
    async run(s) {
      await s.peer.send({ opcode: OPCODE.PING, payload: "Hello, world!" });
      await expectPong(s, _encoder.encode("Hello, world!"));
    },
  },
  {
    name: "2.3 a ping's binary payload is echoed in the pong",
    async run(s) {
      const payload = new Uint8Array([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
      await s.peer.send({ opcode: OPCODE.PING, payload });
      await expectPong(s, payload);
    },
  },
  {
    name: "2.4 a ping with a 125-byte payload is answered with the same 125 bytes",
    async run(s) {
      await s.peer.send({ opcode: OPCODE.PING, payload: _bytes(125) });
      await expectPong(s, _bytes(125));
    },
  },
  {
    name: "2.5 a ping with a 126-byte payload fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.PING, payload: _bytes(126) });
      await expectFailure(s, 1002);
    },
  },
  {
    name: "2.6 a ping whose frame is written byte by byte is answered",
    async run(s) {
      const bytes = s.peer.frame({ opcode: OPCODE.PING, payload: _bytes(125) });
      for (let i = 0; i < bytes.length; i++) await s.peer.write(bytes.subarray(i, i + 1));
      await expectPong(s, _bytes(125));
    },
  },
  {
    // Autobahn 2.4: 125 bytes of 0xFE.
    name: "2.4b a ping with 125 bytes of 0xFE is answered with exactly those bytes",
    async run(s) {
      const payload = new Uint8Array(125).fill(0xfe);
      await s.peer.send({ opcode: OPCODE.PING, payload });
      await expectPong(s, payload);
    },
  },
  {
    name: "2.7b an unsolicited pong without payload is ignored",
    async run(s) {
      await s.peer.send({ opcode: OPCODE.PONG });
      await expectTextEcho(s, "after empty pong");
    },
  },
  {
    // Autobahn 2.11: ten pings, all of them written one byte at a time.
    name: "2.11 ten pings written byte by byte are answered in order",
    async run(s) {
      const bytes = concatBytes(
        Array.from(
          { length: 10 },
          (_, i) => s.peer.frame({ opcode: OPCODE.PING, payload: `ping ${i}` }),
        ),
      );
      for (let i = 0; i < bytes.length; i++) await s.peer.write(bytes.subarray(i, i + 1));
      for (let i = 0; i < 10; i++) await expectPong(s, _encoder.encode(`ping ${i}`));
    },
  },
  {
    name: "2.7 an unsolicited pong is ignored",
    async run(s) {
      await s.peer.send({ opcode: OPCODE.PONG, payload: "unsolicited" });
      await expectTextEcho(s, "after pong");
    },
  },
  {
    name: "2.8 an unsolicited pong followed by a ping: only the ping is answered",
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.PONG, payload: "unsolicited" },
        { opcode: OPCODE.PING, payload: "solicited" },
      ]);
      await expectPong(s, _encoder.encode("solicited"));
    },
  },
  {
    name: "2.9 ten pings in one write are answered in order",
    async run(s) {
      await s.peer.sendAll(
        Array.from({ length: 10 }, (_, i) => ({ opcode: OPCODE.PING, payload: `ping ${i}` })),
      );
      for (let i = 0; i < 10; i++) await expectPong(s, _encoder.encode(`ping ${i}`));
    },
  },
  {
    name: "2.10 a pong with a 126-byte payload fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.PONG, payload: _bytes(126) });
      await expectFailure(s, 1002);
    },
  },
  {
    name: "2.11 a close frame with a 126-byte payload fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.CLOSE, payload: _bytes(126) });
      await expectFailure(s, 1002);
    },
  },
  {
    name: "2.12 pings and messages in one write are answered in their order",
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "one" },
        { opcode: OPCODE.PING, payload: "p" },
        { opcode: OPCODE.TEXT, payload: "two" },
      ]);
      const texts: string[] = [];
      let pongs = 0;
      while (texts.length < 2) {
        const frame = await s.peer.readFrame();
        assert.ok(frame !== null);
        if (frame.opcode === OPCODE.PONG) pongs++;
        else texts.push(new TextDecoder().decode(frame.payload));
      }
      assert.deepEqual(texts, ["one", "two"]);
      assert.equal(pongs, 1);
    },
  },
];

defineCases("Control frames", cases);
