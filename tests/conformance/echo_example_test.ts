// examples/echo.ts run the way Autobahn|Testsuite's fuzzingclient runs against it: a subprocess
// listening on 127.0.0.1, with and without --deflate, driven over TCP by a raw peer (cases from
// sections 1, 2, 5, 6, 7 and 9) and by `ws` with compression (sections 12 and 13).
import assert from "node:assert/strict";
import { WebSocket as WsClient } from "ws";
import { OPCODE } from "../../src/protocol/mod.ts";
import type { RawPeer } from "./_raw_peer.ts";
import { connectRawPeer } from "./_server_harness.ts";
import { withTimeout } from "./_timing.ts";

const MiB = 1024 * 1024;
const C = OPCODE.CONTINUATION;

interface Example {
  url: string;
  port: number;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts examples/echo.ts on a free port of 127.0.0.1; disposing stops it by its PID. */
async function startEcho(...flags: string[]): Promise<Example> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "examples/echo.ts",
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
      "--ops-port",
      "0",
      ...flags,
    ],
    cwd: new URL("../..", import.meta.url),
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      Deno.kill(child.pid, "SIGTERM");
    } catch {
      // Already exited.
    }
    await child.stdout.cancel().catch(() => {});
    const exited = await withTimeout(child.status, 5_000, "echo example to exit").catch(() => null);
    if (exited === null) {
      Deno.kill(child.pid, "SIGKILL");
      await child.status;
    }
  };
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let head = "";
    while (!/ws:\/\/\S+\n/.test(head)) {
      const { value, done } = await withTimeout(reader.read(), 10_000, "echo example to listen");
      if (done) throw new Error("Cannot start the echo example: it exited");
      head += value;
    }
    reader.releaseLock();
    const url = head.match(/ws:\/\/\S+/)![0];
    return { url, port: Number(new URL(url).port), [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function _pattern(length: number, text: boolean): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = text ? 0x61 + (i % 26) : (i * 31 + 7) & 0xff;
  return bytes;
}

function _same(actual: Uint8Array, expected: Uint8Array): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return false;
  return true;
}

async function _closeCleanly(peer: RawPeer): Promise<void> {
  await peer.sendClose(1000);
  assert.equal((await peer.readClose()).code, 1000);
  assert.deepEqual(await peer.readToEnd(), [], "the server closes TCP after its close frame");
  peer.close();
}

Deno.test("examples/echo.ts passes a subset of the Autobahn cases over TCP", async (t) => {
  await using echo = await startEcho();
  const session = async (run: (peer: RawPeer) => Promise<void>) => {
    const peer = await connectRawPeer(echo.port);
    try {
      await run(peer);
    } finally {
      peer.close();
    }
  };

  await t.step(
    "1.1.6 / 9.1.6: a 16 MiB text in one frame is echoed",
    () =>
      session(async (peer) => {
        const payload = _pattern(16 * MiB, true);
        await peer.send({ opcode: OPCODE.TEXT, payload });
        const message = await peer.readMessage(15_000);
        assert.equal(message.opcode, OPCODE.TEXT);
        assert.ok(_same(message.data, payload));
        await _closeCleanly(peer);
      }),
  );

  await t.step(
    "9.4.1: a 1 MiB binary in 64-byte fragments is echoed",
    () =>
      session(async (peer) => {
        const payload = _pattern(MiB, false);
        const frames = [];
        for (let i = 0; i < payload.length; i += 64) {
          const fin = i + 64 >= payload.length;
          frames.push({
            opcode: i === 0 ? OPCODE.BINARY : C,
            payload: payload.subarray(i, i + 64),
            fin,
          });
        }
        await peer.sendAll(frames);
        const message = await peer.readMessage(10_000);
        assert.equal(message.opcode, OPCODE.BINARY);
        assert.ok(_same(message.data, payload));
        await _closeCleanly(peer);
      }),
  );

  await t.step(
    "2.4 / 5.6: a 125-byte ping between fragments is answered at once",
    () =>
      session(async (peer) => {
        const ping = new Uint8Array(125).fill(0xfe);
        await peer.send({ opcode: OPCODE.TEXT, payload: "fragment1", fin: false });
        await peer.send({ opcode: OPCODE.PING, payload: ping });
        const pong = await peer.readFrame();
        assert.equal(pong?.opcode, OPCODE.PONG);
        assert.deepEqual(pong?.payload, ping);
        await peer.send({ opcode: C, payload: "fragment2" });
        assert.equal(await peer.readText(), "fragment1fragment2");
        await _closeCleanly(peer);
      }),
  );

  await t.step(
    "6.4.1: invalid UTF-8 in a first fragment fails with 1007 at once",
    () =>
      session(async (peer) => {
        await peer.send({
          opcode: OPCODE.TEXT,
          payload: new Uint8Array([0xce, 0xba, 0xf4, 0x90, 0x80, 0x80]),
          fin: false,
        });
        const close = await peer.readClose(1_000);
        assert.equal(close.code, 1007);
        assert.deepEqual(close.before, []);
        await peer.sendClose(1007);
        assert.deepEqual(await peer.readToEnd(), []);
      }),
  );

  await t.step("7.9.x: close code 1005 on the wire fails with 1002", () =>
    session(async (peer) => {
      await peer.sendClose(1005);
      assert.equal((await peer.readClose()).code, 1002);
    }));

  await t.step(
    "7.1.5: a close after a first fragment is answered with 1000 and nothing else",
    () =>
      session(async (peer) => {
        await peer.sendAll([
          { opcode: OPCODE.TEXT, payload: "fragment1", fin: false },
          { opcode: OPCODE.CLOSE, payload: new Uint8Array([0x03, 0xe8]) },
          { opcode: C, payload: "fragment2" },
        ]);
        const close = await peer.readClose();
        assert.equal(close.code, 1000);
        assert.deepEqual(close.before, []);
        assert.deepEqual(await peer.readToEnd(), []);
      }),
  );
});

Deno.test("examples/echo.ts --deflate echoes compressed for client_max_window_bits=9 and client_no_context_takeover", async () => {
  await using echo = await startEcho("--deflate");
  const ws = new WsClient(echo.url, {
    perMessageDeflate: { clientMaxWindowBits: 9, clientNoContextTakeover: true, threshold: 0 },
  });
  let response = "";
  ws.once("upgrade", (res) => (response = String(res.headers["sec-websocket-extensions"])));
  await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
  assert.equal(
    response,
    "permessage-deflate; client_no_context_takeover; client_max_window_bits=9",
  );
  // deno-lint-ignore no-explicit-any
  const socket = (ws as any)._socket as { bytesRead: number };
  const before = socket.bytesRead;
  const messages = [16, 1024, 4096, 65536, 131072].map((n) =>
    JSON.stringify({ data: "abcdefgh".repeat(n / 8) }).slice(0, n)
  );
  const replies: string[] = [];
  const done = new Promise<void>((resolve) =>
    ws.on("message", (data) => {
      replies.push(new TextDecoder().decode(data as Uint8Array));
      if (replies.length === messages.length) resolve();
    })
  );
  for (const message of messages) ws.send(message);
  await withTimeout(done, 10_000, "echoes");
  assert.deepEqual(replies, messages);
  // The echoes came back compressed: far fewer bytes on the wire than in the messages.
  const wire = socket.bytesRead - before;
  const plain = messages.reduce((n, m) => n + m.length, 0);
  assert.ok(wire < plain / 4, `${wire} bytes on the wire for ${plain} bytes of text`);
  const closed = new Promise<number>((resolve) => ws.once("close", resolve));
  ws.close(1000);
  assert.equal(await closed, 1000);
});
