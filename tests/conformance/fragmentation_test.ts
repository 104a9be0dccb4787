// Conformance, section 5 (after Autobahn|Testsuite): fragmented messages, control frames between
// fragments, and the fragmentation errors of RFC 6455 §5.4.
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import { concatBytes, type FrameSpec } from "./_raw_peer.ts";
import { type Case, defineCases, expectFailure, expectPong } from "./_suite.ts";
import { withTimeout } from "./_timing.ts";

const _encoder = new TextEncoder();
const C = OPCODE.CONTINUATION;

// A message cut into `parts` (strings), as frames: the first carries the opcode.
function _fragments(opcode: number, parts: readonly (string | Uint8Array)[]): FrameSpec[] {
  return parts.map((payload, i) => ({
    opcode: i === 0 ? opcode : C,
    payload,
    fin: i === parts.length - 1,
  }));
}

const cases: Case[] = [
  {
    name: "5.1 a text message in two fragments is delivered whole",
    async run({ peer }) {
      await peer.sendAll(_fragments(OPCODE.TEXT, ["frag", "ment"]));
      assert.equal(await peer.readText(), "fragment");
    },
  },
  {
    name: "5.2 a binary message in three fragments, one empty, is delivered whole",
    async run({ peer }) {
      const parts = [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])];
      await peer.sendAll(_fragments(OPCODE.BINARY, parts));
      const message = await peer.readMessage();
      assert.equal(message.opcode, OPCODE.BINARY);
      assert.deepEqual(message.data, new Uint8Array([1, 2, 3]));
    },
  },
  {
    name: "5.3 fragments sent in separate writes are joined",
    async run({ peer }) {
      for (const frame of _fragments(OPCODE.TEXT, ["one ", "two ", "three"])) {
        await peer.send(frame);
      }
      assert.equal(await peer.readText(), "one two three");
    },
  },
  {
    name: "5.4 a message of 1000 one-byte fragments is delivered whole",
    async run({ peer }) {
      const parts = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(97 + (i % 26)));
      await peer.sendAll(_fragments(OPCODE.TEXT, parts));
      assert.equal(await peer.readText(), parts.join(""));
    },
  },
  {
    name: "5.5 a ping between fragments is answered at once and the message stays whole",
    async run(s) {
      const { peer } = s;
      await peer.send({ opcode: OPCODE.TEXT, payload: "Hello, ", fin: false });
      await peer.send({ opcode: OPCODE.PING, payload: "between" });
      // The pong cannot wait for the end of the message (RFC 6455 §5.4, §5.5.2).
      await expectPong(s, _encoder.encode("between"));
      await peer.send({ opcode: C, payload: "World!" });
      assert.equal(await peer.readText(), "Hello, World!");
    },
  },
  {
    name: "5.6 pings and pongs between fragments in one write leave the message whole",
    async run(s) {
      const { peer } = s;
      await peer.sendAll([
        { opcode: OPCODE.BINARY, payload: new Uint8Array([1]), fin: false },
        { opcode: OPCODE.PONG, payload: "unsolicited" },
        { opcode: OPCODE.PING, payload: "a" },
        { opcode: C, payload: new Uint8Array([2]), fin: false },
        { opcode: OPCODE.PING, payload: "b" },
        { opcode: C, payload: new Uint8Array([3]) },
      ]);
      await expectPong(s, _encoder.encode("a"));
      await expectPong(s, _encoder.encode("b"));
      assert.deepEqual((await peer.readMessage()).data, new Uint8Array([1, 2, 3]));
    },
  },
  {
    name: "5.7 a close between fragments ends the connection without delivering the message",
    record: true,
    async run(s, _, received) {
      await s.peer.send({ opcode: OPCODE.TEXT, payload: "never ", fin: false });
      await s.peer.sendClose(1000);
      const close = await s.peer.readClose();
      assert.deepEqual(close.before, []);
      assert.equal(close.code, 1000);
      s.peer.close();
      assert.equal((await withTimeout(s.conn.closed, 2_000, "close")).code, 1000);
      await withTimeout(s.appDone, 2_000, "application to end");
      assert.deepEqual(received, []);
    },
  },
  {
    name: "5.8 a continuation frame without a message in progress fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: C, payload: "orphan" });
      await expectFailure(s, 1002);
    },
  },
  {
    name: "5.9 a final continuation without a start fails with 1002, even after a message",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([{ opcode: OPCODE.TEXT, payload: "whole" }, {
        opcode: C,
        payload: "x",
      }]);
      await expectFailure(s, 1002);
    },
  },
  {
    name: "5.10 a new text message inside a fragmented one fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "start", fin: false },
        { opcode: OPCODE.TEXT, payload: "again" },
      ]);
      await expectFailure(s, 1002);
    },
  },
  {
    name: "5.11 a new binary message inside a fragmented text one fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "start", fin: false },
        { opcode: OPCODE.BINARY, payload: "bin", fin: false },
      ]);
      await expectFailure(s, 1002);
    },
  },
  ...[OPCODE.PING, OPCODE.PONG, OPCODE.CLOSE].map((opcode, i): Case => ({
    name: `5.${12 + i} a fragmented control frame (opcode ${opcode}) fails with 1002`,
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode, payload: "", fin: false },
        { opcode: C, payload: "" },
      ]);
      await expectFailure(s, 1002);
    },
  })),
  {
    // Autobahn 5.12–5.14: a continuation with FIN clear and nothing to continue.
    name: "5.15 a non-final continuation frame without a message in progress fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: C, payload: "fragment1", fin: false });
      assert.deepEqual((await expectFailure(s, 1002)).before, []);
    },
  },
  {
    // Autobahn 5.15: a two-fragment text, an orphan continuation, then a whole text.
    name: "5.16 a whole message, then an orphan continuation: the echo, then 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        ..._fragments(OPCODE.TEXT, ["fragment1", "fragment2"]),
        { opcode: C, payload: "fragment3", fin: false },
        { opcode: OPCODE.TEXT, payload: "fragment4" },
      ]);
      const close = await expectFailure(s, 1002);
      // The message before the error is answered before the close (Autobahn: OK, not NON-STRICT).
      assert.equal(close.before.length, 1);
      assert.equal(new TextDecoder().decode(close.before[0]!.payload), "fragment1fragment2");
    },
  },
  ...[false, true].map((fin, i): Case => ({
    // Autobahn 5.16 and 5.17: an orphan continuation before a fragmented text, twice.
    name: `5.${17 + i} an orphan continuation (FIN ${fin ? "set" : "clear"}) before a ` +
      "fragmented text fails with 1002 and echoes nothing",
    needs: ["protocolErrors"],
    async run(s) {
      const round = [
        { opcode: C, payload: "fragment1", fin },
        ..._fragments(OPCODE.TEXT, ["fragment2", "fragment3"]),
      ];
      await s.peer.sendAll([...round, ...round]);
      assert.deepEqual((await expectFailure(s, 1002)).before, []);
    },
  })),
  {
    // Autobahn 5.19: five fragments, a ping after the second and after the fourth, with pauses;
    // each pong comes back before the message ends.
    name: "5.19 a text in five fragments with two pings in between: pongs first, message whole",
    async run(s) {
      const { peer } = s;
      const frames = _fragments(OPCODE.TEXT, [
        "fragment1",
        "fragment2",
        "fragment3",
        "fragment4",
        "fragment5",
      ]);
      await peer.sendAll(frames.slice(0, 2));
      await peer.send({ opcode: OPCODE.PING, payload: "pongme 1!" });
      await expectPong(s, _encoder.encode("pongme 1!"));
      await peer.sendAll(frames.slice(2, 4));
      await peer.send({ opcode: OPCODE.PING, payload: "pongme 2!" });
      await expectPong(s, _encoder.encode("pongme 2!"));
      await peer.send(frames[4]!);
      assert.equal(await peer.readText(), "fragment1fragment2fragment3fragment4fragment5");
    },
  },
  {
    // Autobahn 5.8: the fragments and the ping between them written one byte at a time.
    name: "5.20 fragments and a ping between them written byte by byte: pong, then the message",
    async run(s) {
      const { peer } = s;
      const bytes = concatBytes([
        peer.frame({ opcode: OPCODE.TEXT, payload: "fragment1", fin: false }),
        peer.frame({ opcode: OPCODE.PING, payload: "ping payload" }),
        peer.frame({ opcode: C, payload: "fragment2" }),
      ]);
      for (let i = 0; i < bytes.length; i++) await peer.write(bytes.subarray(i, i + 1));
      await expectPong(s, _encoder.encode("ping payload"));
      assert.equal(await peer.readText(), "fragment1fragment2");
    },
  },
  {
    // Autobahn 10.1.1: 64 KiB of text in 1300-byte frames.
    name: "10.1.1 a 65536-byte text in 1300-byte fragments is echoed whole",
    async run({ peer }) {
      const text = "*".repeat(65536);
      const parts: string[] = [];
      for (let i = 0; i < text.length; i += 1300) parts.push(text.slice(i, i + 1300));
      await peer.sendAll(_fragments(OPCODE.TEXT, parts));
      assert.equal(await peer.readText(), text);
    },
  },
];

defineCases("Fragmentation", cases);
