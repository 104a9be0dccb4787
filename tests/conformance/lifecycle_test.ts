// Conformance, lifecycle: keepalive pings and the idle timeout, and graceful server shutdown
// that loses no message (1001 Going Away, RFC 6455 §7.4.1).
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import { type Case, defineCases } from "./_suite.ts";
import { TimeoutError, withTimeout } from "./_timing.ts";

const _KEEPALIVE = { keepalive: { pingInterval: 100, idleTimeout: 400 } };

const cases: Case[] = [
  {
    name: "11.1 a peer that never answers pings is dropped after the idle timeout",
    needs: ["keepalive"],
    options: _KEEPALIVE,
    async run({ peer, conn }) {
      const started = Date.now();
      const frames = await peer.readToEnd(2_000);
      const elapsed = Date.now() - started;
      assert.ok(frames.length >= 1, "at least one ping before the drop");
      assert.ok(frames.every((f) => f.opcode === OPCODE.PING), "only pings");
      const info = await withTimeout(conn.closed, 1_000, "close");
      assert.deepEqual({ code: info.code, reason: info.reason }, {
        code: 1006,
        reason: "keepalive timeout",
      });
      assert.ok(elapsed >= 350 && elapsed < 1_500, `dropped after ${elapsed} ms`);
    },
  },
  {
    name: "11.2 a peer that answers pings stays connected past the idle timeout",
    needs: ["keepalive"],
    options: _KEEPALIVE,
    async run({ peer, conn }) {
      const end = Date.now() + 900;
      let pings = 0;
      while (Date.now() < end) {
        let frame;
        try {
          frame = await peer.readFrame(end - Date.now());
        } catch (error) {
          if (error instanceof TimeoutError) break;
          throw error;
        }
        assert.ok(frame !== null, "the connection was dropped");
        assert.equal(frame.opcode, OPCODE.PING);
        pings++;
        await peer.send({ opcode: OPCODE.PONG, payload: frame.payload });
      }
      assert.ok(pings >= 2, `${pings} pings`);
      assert.equal(conn.readyState, 1);
      await peer.sendText("still here");
      assert.equal(await peer.readText(), "still here");
    },
  },
  {
    name: "11.3 a peer that keeps sending messages is not pinged to death",
    needs: ["keepalive"],
    options: _KEEPALIVE,
    async run({ peer, conn }) {
      for (let i = 0; i < 8; i++) {
        await peer.sendText(`tick ${i}`);
        assert.equal(await peer.readText(), `tick ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(conn.readyState, 1);
    },
  },
  {
    name: "11.4 shutdown delivers every message already sent, then closes with 1001",
    needs: ["shutdown"],
    app(conn) {
      for (let i = 0; i < 200; i++) conn.send(`message ${i}`);
    },
    async run({ peer, conn, shutdown }) {
      const stopping = shutdown!(2_000);
      const close = await peer.readClose();
      const texts = close.before.map((frame) => new TextDecoder().decode(frame.payload));
      assert.deepEqual(texts, Array.from({ length: 200 }, (_, i) => `message ${i}`));
      assert.equal(close.code, 1001);
      await peer.sendClose(1001);
      await withTimeout(stopping, 3_000, "shutdown");
      assert.equal((await withTimeout(conn.closed, 1_000, "close")).wasClean, true);
    },
  },
  {
    name: "11.6 after shutdown, conn.closed reports the code of the peer's close reply",
    needs: ["shutdown"],
    async run({ peer, conn, shutdown }) {
      const stopping = shutdown!(2_000);
      assert.equal((await peer.readClose()).code, 1001);
      await peer.sendClose(4000, "bye");
      await withTimeout(stopping, 3_000, "shutdown");
      const info = await withTimeout(conn.closed, 1_000, "close");
      assert.deepEqual({ ...info }, { code: 4000, reason: "bye", wasClean: true });
    },
  },
  {
    name: "11.5 shutdown aborts a peer that never answers once its timeout has passed",
    needs: ["shutdown"],
    async run({ peer, conn, shutdown }) {
      const started = Date.now();
      const stopping = shutdown!(300);
      assert.equal((await peer.readClose()).code, 1001);
      await withTimeout(stopping, 3_000, "shutdown");
      assert.equal((await withTimeout(conn.closed, 1_000, "close")).wasClean, false);
      await peer.readToEnd(2_000);
      assert.ok(Date.now() - started < 2_000);
    },
  },
];

defineCases("Lifecycle", cases);
