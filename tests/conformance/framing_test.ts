// Conformance, sections 1–4 (after Autobahn|Testsuite): framing, payload lengths, echo of text
// and binary messages, reserved bits and opcodes, masking.
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import type { Session } from "./_harness.ts";
import { type Case, defineCases, expectFailure, expectTextEcho } from "./_suite.ts";
import { withTimeout } from "./_timing.ts";

const _LENGTHS = [0, 1, 125, 126, 127, 128, 65535, 65536, 65537] as const;

function _pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

function _text(length: number): string {
  return "abcdefghijklmnopqrstuvwxyz0123456789".repeat(Math.ceil(length / 36)).slice(0, length);
}

// Autobahn 3.3, 4.1.3, 4.2.3: a valid text, a bad frame and a ping in one write. The text reaches
// the application and its echo goes out before the close (Autobahn grades a missing echo
// NON-STRICT); a pong after the bad frame is always wrong.
async function _expectEchoThenFailure(s: Session): Promise<void> {
  const close = await expectFailure(s, 1002);
  assert.deepEqual(close.before.map((f) => f.opcode), [OPCODE.TEXT], "the echo, then the close");
}

const cases: Case[] = [
  ..._LENGTHS.map((length): Case => ({
    name: `1.1 a text message of ${length} bytes is echoed unchanged`,
    run: (s) => expectTextEcho(s, _text(length)),
  })),
  ..._LENGTHS.map((length): Case => ({
    name: `1.2 a binary message of ${length} bytes is echoed unchanged`,
    async run({ peer }) {
      const payload = _pattern(length);
      await peer.send({ opcode: OPCODE.BINARY, payload });
      const message = await peer.readMessage();
      assert.equal(message.opcode, OPCODE.BINARY);
      assert.deepEqual(message.data, payload);
    },
  })),
  {
    name: "1.3 a 65536-byte message written byte by byte is echoed unchanged",
    async run({ peer }) {
      const payload = _pattern(65536);
      const bytes = peer.frame({ opcode: OPCODE.BINARY, payload });
      // The header and the start of the payload one byte per write, the rest in one.
      for (let i = 0; i < 16; i++) await peer.write(bytes.subarray(i, i + 1));
      await peer.write(bytes.subarray(16));
      assert.deepEqual((await peer.readMessage()).data, payload);
    },
  },
  ...[OPCODE.TEXT, OPCODE.BINARY].map((opcode): Case => ({
    // Autobahn 1.1.8 and 1.2.8: the frame goes out in chops of 997 bytes.
    name: `1.${opcode}.8 a 65536-byte ${
      opcode === OPCODE.TEXT ? "text" : "binary"
    } message written in 997-byte chops is echoed`,
    async run({ peer }) {
      const payload = opcode === OPCODE.TEXT
        ? new TextEncoder().encode(_text(65536))
        : _pattern(65536);
      const bytes = peer.frame({ opcode, payload });
      for (let i = 0; i < bytes.length; i += 997) await peer.write(bytes.subarray(i, i + 997));
      const message = await peer.readMessage();
      assert.equal(message.opcode, opcode);
      assert.deepEqual(message.data, payload);
    },
  })),
  {
    name: "1.4 a hundred messages in one write are echoed in order",
    async run({ peer }) {
      const texts = Array.from({ length: 100 }, (_, i) => `message ${i} ${"é".repeat(i)}`);
      await peer.sendAll(texts.map((payload) => ({ opcode: OPCODE.TEXT, payload })));
      for (const text of texts) assert.equal(await peer.readText(), text);
    },
  },
  {
    name: "1.5 multi-byte UTF-8 text (2, 3 and 4 byte sequences) is echoed unchanged",
    run: (s) => expectTextEcho(s, "κόσμε – 世界 – 🎉🦕 – \u0000 – \uffff"),
  },
  ...[1, 2, 3, 4, 5, 6, 7].map((rsv): Case => ({
    name: `3.${rsv} a frame with RSV bits ${rsv.toString(2).padStart(3, "0")} fails with 1002`,
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.TEXT, payload: "hello", rsv });
      await expectFailure(s, 1002);
    },
  })),
  ...([
    [OPCODE.BINARY, 5],
    [OPCODE.PING, 6],
    [OPCODE.CLOSE, 7],
  ] as const).map(([opcode, rsv]): Case => ({
    // Autobahn 3.5–3.7: reserved bits on a binary, a ping and a close frame.
    name: `3.${rsv} a frame of opcode ${opcode} with RSV bits ${rsv.toString(2)} fails with 1002`,
    needs: ["protocolErrors"],
    async run(s) {
      const payload = opcode === OPCODE.CLOSE
        ? new Uint8Array([0x03, 0xe8])
        : new Uint8Array([1, 2]);
      await s.peer.send({ opcode, payload, rsv });
      assert.deepEqual((await expectFailure(s, 1002)).before, [], "no pong, no close echo");
    },
  })),
  {
    // Autobahn 3.3: text, a frame with RSV 3, then a ping, in one write.
    name: "3.3 text, a frame with RSV bits, then a ping: the echo, 1002, and no pong",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "Hello, world!" },
        { opcode: OPCODE.TEXT, payload: "Hello, world!", rsv: 3 },
        { opcode: OPCODE.PING },
      ]);
      await _expectEchoThenFailure(s);
    },
  },
  {
    // Autobahn 3.4: the same frame written byte by byte.
    name: "3.4 a frame with RSV bits written byte by byte after an echo fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await expectTextEcho(s, "Hello, world!");
      const bytes = s.peer.frame({ opcode: OPCODE.TEXT, payload: "Hello, world!", rsv: 4 });
      for (let i = 0; i < bytes.length; i++) {
        await s.peer.write(bytes.subarray(i, i + 1)).catch(() => {});
      }
      assert.deepEqual((await expectFailure(s, 1002)).before, []);
    },
  },
  {
    name: "3.8 a message decoded before a frame with RSV bits still reaches the application",
    needs: ["protocolErrors"],
    record: true,
    async run(s, _, received) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "first" },
        { opcode: OPCODE.PING, payload: "p", rsv: 2 },
      ]);
      await expectFailure(s, 1002);
      await withTimeout(s.appDone, 2_000, "application to end");
      assert.deepEqual(received, ["first"]);
    },
  },
  ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((opcode): Case => ({
    name: `4.${opcode} a frame with reserved opcode ${opcode} fails with 1002`,
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode, payload: "reserved" });
      await expectFailure(s, 1002);
    },
  })),
  {
    name: "4.16 a reserved opcode after an echoed message fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await expectTextEcho(s, "ok");
      await s.peer.send({ opcode: 0xb });
      await expectFailure(s, 1002);
    },
  },
  ...[5, 12].map((opcode): Case => ({
    // Autobahn 4.1.3 and 4.2.3: text, a reserved opcode, a ping: echo, 1002, and no pong.
    name: `4.${opcode}b text, reserved opcode ${opcode}, ping: the echo, 1002, no pong`,
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "Hello, world!" },
        { opcode, payload: "reserved" },
        { opcode: OPCODE.PING },
      ]);
      await _expectEchoThenFailure(s);
    },
  })),
  {
    // RFC 6455 §5.1: a server closes on an unmasked frame, a client on a masked one.
    name: "4.17 a frame masked the wrong way for the peer's role fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.TEXT, payload: "wrong", mask: s.peer.role !== "client" });
      await expectFailure(s, 1002);
    },
  },
];

defineCases("Framing", cases);
