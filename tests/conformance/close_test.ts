// Conformance, section 7 (after Autobahn|Testsuite): the closing handshake, close codes and
// reasons (RFC 6455 §5.5.1, §7.4).
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import { closePayload, concatBytes } from "./_raw_peer.ts";
import {
  type Case,
  defineCases,
  expectCloseEcho,
  expectFailure,
  expectTextEcho,
} from "./_suite.ts";
import { withTimeout } from "./_timing.ts";

// RFC 6455 §7.4.1 and the IANA registry: codes a peer may send.
const _VALID = [
  1000,
  1001,
  1002,
  1003,
  1007,
  1008,
  1009,
  1010,
  1011,
  1012,
  1013,
  1014,
  3000,
  3999,
  4000,
  4999,
];
// Codes that must never appear on the wire, reserved ranges, and out-of-range values.
const _INVALID = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

const cases: Case[] = [
  {
    name: "7.1.1 a close with code 1000 and a reason is echoed and ends the connection cleanly",
    run: (s) => expectCloseEcho(s, 1000, "done"),
  },
  {
    name: "7.1.2 an empty close frame is answered with an empty one and reported as 1005",
    run: (s) => expectCloseEcho(s, undefined),
  },
  {
    name: "7.1.3 a close with a 123-byte reason is accepted",
    run: (s) => expectCloseEcho(s, 1000, "r".repeat(123)),
  },
  {
    name: "7.1.4 a close with a UTF-8 reason is reported with that reason",
    run: (s) => expectCloseEcho(s, 4000, "fin – κόσμε 🦕"),
  },
  {
    name: "7.1.5 frames after a close frame are ignored",
    async run(s) {
      const { peer, conn } = s;
      await peer.sendAll([
        { opcode: OPCODE.CLOSE, payload: closePayload(1000) },
        { opcode: OPCODE.TEXT, payload: "too late" },
        { opcode: OPCODE.PING, payload: "late" },
      ]);
      const close = await peer.readClose();
      assert.deepEqual(close.before, []);
      assert.equal(close.code, 1000);
      if (peer.role === "server") peer.close();
      else assert.deepEqual(await peer.readToEnd(), []);
      assert.equal((await withTimeout(conn.closed, 3_000, "close")).code, 1000);
    },
  },
  {
    name: "7.1.6 messages echoed before the close frame all arrive before the close reply",
    async run({ peer }) {
      const texts = Array.from({ length: 20 }, (_, i) => `before close ${i}`);
      for (const text of texts) await peer.sendText(text);
      for (const text of texts) assert.equal(await peer.readText(), text);
      await peer.sendClose(1000);
      assert.equal((await peer.readClose()).code, 1000);
    },
  },
  {
    // Autobahn 7.1.2: a second close frame is not answered.
    name: "7.1.7 two close frames are answered with one",
    async run(s) {
      const { peer, conn } = s;
      await peer.sendAll([
        { opcode: OPCODE.CLOSE, payload: closePayload(1000) },
        { opcode: OPCODE.CLOSE, payload: closePayload(1001) },
      ]);
      assert.equal((await peer.readClose()).code, 1000);
      if (peer.role === "server") peer.close();
      else assert.deepEqual(await peer.readToEnd(), []);
      assert.equal((await withTimeout(conn.closed, 3_000, "close")).code, 1000);
    },
  },
  {
    // Autobahn 7.1.5: the start of a fragmented message, a close, then the continuation.
    name: "7.1.8 a close after a message's first fragment: no echo, close 1000, the rest ignored",
    record: true,
    async run(s, _, received) {
      const { peer, conn } = s;
      await peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "fragment1", fin: false },
        { opcode: OPCODE.CLOSE, payload: closePayload(1000) },
        { opcode: OPCODE.CONTINUATION, payload: "fragment2" },
      ]);
      const close = await peer.readClose();
      assert.deepEqual(close.before, []);
      assert.equal(close.code, 1000);
      if (peer.role === "server") peer.close();
      else assert.deepEqual(await peer.readToEnd(), []);
      assert.equal((await withTimeout(conn.closed, 3_000, "close")).code, 1000);
      await withTimeout(s.appDone, 2_000, "application to end");
      assert.deepEqual(received, []);
    },
  },
  {
    // Autobahn 7.1.6: a 256 KiB message, a close and a ping in one write. The echo may go out
    // before the close reply; nothing may follow the close reply, the ping is not answered.
    name: "7.1.9 a 256 KiB message, a close and a ping: at most the echo, then close 1000",
    async run(s) {
      const { peer, conn } = s;
      const text = "BAsd7&jh23".repeat(26215);
      await peer.sendAll([
        { opcode: OPCODE.TEXT, payload: text },
        { opcode: OPCODE.CLOSE, payload: closePayload(1000) },
        { opcode: OPCODE.PING, payload: "ping" },
      ]);
      const close = await peer.readClose(5_000);
      assert.equal(close.code, 1000);
      assert.ok(close.before.every((f) => f.opcode !== OPCODE.PONG), "no pong");
      const echoed = new TextDecoder().decode(concatBytes(close.before.map((f) => f.payload)));
      assert.ok(echoed === "" || echoed === text, "the echo is whole or absent");
      if (peer.role === "server") peer.close();
      else assert.deepEqual(await peer.readToEnd(), []);
      assert.equal((await withTimeout(conn.closed, 3_000, "close")).code, 1000);
    },
  },
  {
    name: "7.2 conn.close() sends a close frame, waits for the reply, then reports it",
    app: (conn) => conn.close(4001, "app done"),
    async run({ peer, conn }) {
      const close = await peer.readClose();
      assert.equal(close.code, 4001);
      assert.equal(close.reason, "app done");
      await peer.sendClose(4001, "ack");
      if (peer.role === "server") peer.close();
      const info = await withTimeout(conn.closed, 3_000, "close");
      assert.deepEqual({ ...info }, { code: 4001, reason: "ack", wasClean: true });
    },
  },
  {
    name: "7.3 a close frame the peer never answers is followed by the end of the connection",
    needs: ["closeTimeout"],
    options: { closeTimeout: 200 },
    app: (conn) => conn.close(1000),
    async run({ peer, conn }) {
      assert.equal((await peer.readClose()).code, 1000);
      const info = await withTimeout(conn.closed, 2_000, "close timeout");
      assert.equal(info.code, 1006);
      assert.equal(info.wasClean, false);
      await peer.readToEnd(2_000);
    },
  },
  ..._VALID.map((code): Case => ({
    name: `7.7 close code ${code} is valid and echoed`,
    ...(code === 1014 ? { needs: ["registeredCloseCodes"] as const } : {}),
    run: (s) => expectCloseEcho(s, code, "reason"),
  })),
  ..._INVALID.map((code): Case => ({
    name: `7.9 close code ${code} is invalid and fails with 1002`,
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendClose(code);
      await expectFailure(s, 1002);
    },
  })),
  {
    name: "7.10 a close frame with a 1-byte payload fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.CLOSE, payload: new Uint8Array([0x03]) });
      await expectFailure(s, 1002);
    },
  },
  {
    name: "7.11 a close frame with a reason that is not UTF-8 fails with 1007",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({
        opcode: OPCODE.CLOSE,
        payload: closePayload(1000, new Uint8Array([0xce, 0xba, 0xff])),
      });
      await expectFailure(s, 1007);
    },
  },
  {
    name: "7.12 a close frame with a 124-byte reason (126-byte payload) fails with 1002",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.CLOSE, payload: closePayload(1000, "r".repeat(124)) });
      await expectFailure(s, 1002);
    },
  },
  {
    name: "7.13 the connection keeps working after an exchange that precedes a close",
    async run(s) {
      await expectTextEcho(s, "still open");
      await expectCloseEcho(s, 1000, "bye");
    },
  },
];

defineCases("Close", cases);
