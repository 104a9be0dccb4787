// Conformance, backpressure: a peer that stops reading cannot make the connection buffer without
// bound, and the slow-consumer policies (close with 1008/1013, or drop and count) are exact.
import assert from "node:assert/strict";
import type { WebSocketConnection } from "../../src/connection/mod.ts";
import { OPCODE } from "../../src/protocol/mod.ts";
import { type Case, defineCases } from "./_suite.ts";
import { delay, withTimeout } from "./_timing.ts";

const _CHUNK = 16 * 1024;
const _THRESHOLD = 64 * 1024;

// State an application shares with its test through `conn.data`.
interface Shared {
  sent: number;
  accepted: number;
  maxBuffered: number;
  stop: boolean;
  resume?: () => void;
}

function _shared(conn: WebSocketConnection): Shared {
  return conn.data as Shared;
}

function _numbered(i: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(0, i);
  return bytes;
}

const cases: Case[] = [
  {
    name: "12.1 a sender that awaits drained() stays bounded while the peer stops reading",
    needs: ["backpressure"],
    timeout: 15_000,
    async app(conn) {
      const shared: Shared = { sent: 0, accepted: 0, maxBuffered: 0, stop: false };
      conn.data = shared;
      while (!shared.stop) {
        conn.send(_numbered(shared.sent++, _CHUNK));
        shared.maxBuffered = Math.max(shared.maxBuffered, conn.bufferedAmount);
        await conn.drained(_THRESHOLD);
      }
      conn.close(1000);
    },
    async run({ peer, conn }, harness) {
      await delay(400);
      const shared = _shared(conn);
      const stalled = shared.sent;
      await delay(200);
      assert.equal(shared.sent, stalled, "the sender is stalled");
      assert.ok(shared.maxBuffered <= _THRESHOLD + 2 * _CHUNK, `buffered ${shared.maxBuffered}`);
      const bound = harness.capabilities.transportBuffer + _THRESHOLD + 4 * _CHUNK;
      assert.ok(stalled * _CHUNK <= bound, `${stalled * _CHUNK} bytes sent unread`);
      shared.stop = true;
      const close = await peer.readClose(10_000);
      assert.equal(close.code, 1000);
      const numbers = close.before.map((f) => new DataView(f.payload.buffer).getUint32(0));
      assert.deepEqual(numbers, Array.from({ length: shared.sent }, (_, i) => i));
    },
  },
  {
    name: "12.2 the close policy closes with its code once maxBufferedAmount would be exceeded",
    needs: ["slowConsumer"],
    options: { maxBufferedAmount: 100_000, slowConsumer: { policy: "close", closeCode: 1013 } },
    app(conn) {
      const shared: Shared = { sent: 0, accepted: 0, maxBuffered: 0, stop: false };
      conn.data = shared;
      for (let i = 0; i < 50; i++) {
        shared.sent++;
        if (conn.send(_numbered(i, 10_000))) shared.accepted++;
        shared.maxBuffered = Math.max(shared.maxBuffered, conn.bufferedAmount);
      }
    },
    async run({ peer, conn }) {
      const close = await peer.readClose();
      const shared = _shared(conn);
      assert.equal(close.code, 1013);
      assert.equal(close.reason, "slow consumer");
      assert.ok(shared.accepted >= 9 && shared.accepted <= 10, `${shared.accepted} accepted`);
      assert.ok(shared.maxBuffered <= 100_000, `buffered ${shared.maxBuffered}`);
      // Unsent data is discarded: nothing beyond what was accepted, in order.
      const numbers = close.before.map((f) => new DataView(f.payload.buffer).getUint32(0));
      assert.deepEqual(numbers, numbers.map((_, i) => i));
      assert.ok(numbers.length <= shared.accepted);
      assert.equal(conn.send("late"), false);
      await peer.sendClose(1013);
      if (peer.role === "server") peer.close();
      assert.equal((await withTimeout(conn.closed, 2_000, "close")).code, 1013);
    },
  },
  {
    name: "12.3 the drop policy refuses messages over maxBufferedAmount and counts them",
    needs: ["slowConsumer"],
    options: { maxBufferedAmount: 100_000, slowConsumer: { policy: "drop" } },
    async app(conn) {
      const shared: Shared = { sent: 0, accepted: 0, maxBuffered: 0, stop: false };
      conn.data = shared;
      for (let i = 0; i < 50; i++) {
        shared.sent++;
        if (conn.send(_numbered(i, 10_000))) shared.accepted++;
        shared.maxBuffered = Math.max(shared.maxBuffered, conn.bufferedAmount);
      }
      await conn.drained();
      conn.send("end");
      conn.close(1000);
    },
    async run({ peer, conn }) {
      const close = await peer.readClose();
      const shared = _shared(conn);
      assert.equal(close.code, 1000);
      assert.ok(shared.accepted >= 9 && shared.accepted <= 10, `${shared.accepted} accepted`);
      assert.equal(conn.droppedMessages, 50 - shared.accepted);
      assert.ok(shared.maxBuffered <= 100_000, `buffered ${shared.maxBuffered}`);
      const binary = close.before.filter((f) => f.opcode === OPCODE.BINARY);
      const numbers = binary.map((f) => new DataView(f.payload.buffer).getUint32(0));
      assert.deepEqual(numbers, Array.from({ length: shared.accepted }, (_, i) => i));
      const last = close.before.at(-1)!;
      assert.equal(new TextDecoder().decode(last.payload), "end");
    },
  },
  {
    name: "12.4 an application that stops reading stops the peer's writes at maxReadAhead",
    needs: ["backpressure", "readAhead"],
    options: { maxReadAhead: 64 * 1024 },
    timeout: 15_000,
    async app(conn) {
      const shared: Shared = { sent: 0, accepted: 0, maxBuffered: 0, stop: false };
      await new Promise<void>((resolve) => {
        shared.resume = resolve;
        conn.data = shared;
      });
      let count = 0;
      for await (const message of conn) {
        if (typeof message.data === "string") break;
        assert.equal(
          new DataView(message.data.buffer, message.data.byteOffset).getUint32(0),
          count,
        );
        count++;
      }
      conn.send(String(count));
    },
    async run({ peer, conn }, harness) {
      let writes = 0;
      const deadline = Date.now() + 8_000;
      while (
        await peer.tryWrite(
          peer.frame({ opcode: OPCODE.BINARY, payload: _numbered(writes, 64 * 1024) }),
          200,
        )
      ) {
        writes++;
        assert.ok(Date.now() < deadline, "the peer's writes never stalled");
      }
      writes++; // The stalled write stays queued and is delivered later.
      const bound = 64 * 1024 + harness.capabilities.transportBuffer + 2 * 64 * 1024;
      assert.ok(peer.bytesWritten <= bound, `${peer.bytesWritten} bytes accepted unread`);
      _shared(conn).resume!();
      await peer.sendText("end");
      assert.equal(await peer.readText(10_000), String(writes));
    },
  },
];

defineCases("Backpressure", cases);
