// Large messages compressed on worker threads: order on the wire, context takeover across the
// switch between the connection's thread and a worker, a worker that cannot start or dies, and
// an extension whose off-thread encoding fails.
import assert from "node:assert/strict";
import { constants, inflateRawSync } from "node:zlib";
import { WebSocket as WsClient } from "ws";
import { Connection } from "../../src/connection/mod.ts";
import { _DeflatePool } from "../../src/extensions/_deflate_pool.ts";
import { _ZlibStream } from "../../src/extensions/_zlib.ts";
import { type Extension, perMessageDeflate } from "../../src/extensions/mod.ts";
import { CLOSE_CODE } from "../../src/protocol/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";
import { until } from "../_until.ts";
import { concat } from "../protocol/_split.ts";
import { jsonLikeText } from "./_helpers.ts";

const encoder = new TextEncoder();

// Sizes that alternate between the connection's thread and a worker (offloadSize 4096), with
// runs of each, empty and below-threshold messages among them.
const SIZES = [
  100,
  5000,
  20_000,
  2000,
  3000,
  70_000,
  0,
  4096,
  4095,
  8000,
  10,
  300_000,
  1500,
  6000,
  6000,
  50,
];

function echoServer(options: Parameters<typeof perMessageDeflate>[0]) {
  const factory = perMessageDeflate(options);
  const seen = { workers: 0 };
  const server = serve(
    { hostname: "127.0.0.1", port: 0, extensions: [factory] },
    async (conn) => {
      for await (const message of conn) {
        conn.send(message.data);
        seen.workers = Math.max(seen.workers, factory.workers);
      }
    },
  );
  return { factory, server, seen };
}

async function wsEcho(
  url: string,
  messages: string[],
  noContextTakeover: boolean,
  workersReady: () => Promise<void>,
) {
  const ws = new WsClient(url, {
    perMessageDeflate: {
      threshold: 0,
      serverNoContextTakeover: noContextTakeover,
      clientNoContextTakeover: noContextTakeover,
    },
  });
  await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
  assert.match(ws.extensions, /^permessage-deflate/);
  const replies: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ws.on("error", reject);
    ws.on("message", (data) => {
      replies.push(new TextDecoder().decode(new Uint8Array(data as Uint8Array)));
      if (replies.length === messages.length) resolve();
    });
  });
  // A first large message starts the workers and is compressed on the main thread meanwhile;
  // the rest, once they are ready, switch between both compressors.
  const warm = jsonLikeText(20_000, 99);
  ws.send(warm);
  await until(() => replies.length === 1, "the first echo", 10_000);
  assert.equal(replies.shift(), warm);
  await workersReady();
  for (const message of messages) ws.send(message);
  await done;
  const closed = new Promise<number>((resolve) => ws.once("close", resolve));
  ws.close(1000);
  assert.equal(await closed, 1000);
  return replies;
}

for (const noContextTakeover of [false, true]) {
  Deno.test(
    `large echoes compressed on a worker keep their order and content (context takeover ${
      noContextTakeover ? "off" : "on"
    })`,
    async () => {
      const { factory, server, seen } = echoServer({ workers: 2, offloadSize: 4096 });
      await using _ = server;
      const messages = [...SIZES, ...SIZES.toReversed()].map((size, i) => jsonLikeText(size, i));
      // Two clients at once: their connections take turns on the two workers.
      const ready = () => until(() => factory.workers === 2, "both workers", 10_000);
      const [a, b] = await Promise.all([
        wsEcho(server.url, messages, noContextTakeover, ready),
        wsEcho(server.url, messages.toReversed(), noContextTakeover, ready),
      ]);
      assert.deepEqual(a, messages);
      assert.deepEqual(b, messages.toReversed());
      assert.equal(seen.workers, 2, "both workers compressed");
      // Every connection has closed: the workers have stopped.
      await server.shutdown();
      assert.equal(factory.workers, 0);
    },
  );
}

Deno.test("a message sent after a large one waits for it, and bufferedAmount counts it", async () => {
  const [serverSide, clientSide] = createTransportPair();
  const server = perMessageDeflate({ workers: 1, offloadSize: 1024, threshold: 0 });
  const client = perMessageDeflate({ workers: 0, threshold: 0 });
  const accepted = server.accept(client.offer())!;
  const a = new Connection(serverSide, { role: "server", extensions: [accepted.extension] });
  const b = new Connection(clientSide, {
    role: "client",
    extensions: [client.accepted(accepted.response)],
  });
  const large = jsonLikeText(64 * 1024, 1);
  assert.ok(a.send(large));
  assert.ok(a.bufferedAmount >= large.length, "the pending message counts");
  assert.ok(a.send("small"));
  a.close(1000, "done");
  const received: string[] = [];
  for await (const message of b) received.push(message.data as string);
  assert.deepEqual(received, [large, "small"]);
  assert.equal((await b.closed).code, 1000);
  assert.equal((await a.closed).code, 1000);
  assert.equal(server.workers, 0);
});

// A raw deflate message from a job's output, inflated as a peer would (RFC 7692 §7.2.2).
function inflateMessage(bytes: Uint8Array): string {
  const joined = concat(bytes, new Uint8Array([0x00, 0x00, 0xff, 0xff]));
  return new TextDecoder().decode(inflateRawSync(joined, { finishFlush: constants.Z_SYNC_FLUSH }));
}

Deno.test("a pool whose worker cannot start compresses on the main thread", async () => {
  const pool = new _DeflatePool(1, new URL("./_missing_worker.ts", import.meta.url));
  const lease = pool.lease();
  const options = { windowBits: 15, level: 6, memLevel: 8 };
  const texts = [jsonLikeText(5000, 1), jsonLikeText(9000, 2), jsonLikeText(5000, 1)];
  const outs = await Promise.all(
    texts.map((text) => lease.deflate(encoder.encode(text), options, false, false)),
  );
  assert.deepEqual(outs.map(inflateMessage), texts);
  lease.close();
  assert.equal(pool.workers, 0);
});

Deno.test("jobs of a worker that dies run on the main thread, in order", async () => {
  // This worker answers the first job, then fails on the second.
  const pool = new _DeflatePool(1, new URL("./_failing_worker.ts", import.meta.url));
  const lease = pool.lease();
  const options = { windowBits: 15, level: 6, memLevel: 8 };
  const texts = [0, 1, 2, 3, 4].map((i) => jsonLikeText(6000, i % 2));
  const outs = await Promise.all(
    texts.map((text) => lease.deflate(encoder.encode(text), options, false, false)),
  );
  assert.deepEqual(outs.map(inflateMessage), texts);
  // Later jobs, with a context of their own, stay on the main thread and still decode.
  const more = await lease.deflate(encoder.encode(texts[0]!), options, true, false);
  assert.equal(inflateMessage(more), texts[0]);
  lease.close();
  assert.equal(pool.workers, 0);
});

Deno.test("an extension whose off-thread encoding fails closes the connection with 1011", async () => {
  const [serverSide, clientSide] = createTransportPair();
  const failing: Extension = {
    name: "x-later",
    rsv: 0,
    decode: (frame) => frame,
    encode: (_opcode, payload) => ({ payload, rsv: 0 }),
    encodeLater: (_opcode, payload) =>
      payload.length > 3 ? Promise.reject(new Error("no room")) : undefined,
    close() {},
  };
  const a = new Connection(serverSide, { role: "server", extensions: [failing] });
  const b = new Connection(clientSide, { role: "client" });
  assert.ok(a.send("ok"));
  assert.ok(a.send("too long"));
  const received: string[] = [];
  for await (const message of b) received.push(message.data as string);
  assert.deepEqual(received, ["ok"]);
  const info = await b.closed;
  assert.equal(info.code, CLOSE_CODE.INTERNAL_ERROR);
  assert.equal((await a.closed).code, CLOSE_CODE.INTERNAL_ERROR);
});

Deno.test("without read permission for the worker module, compression stays on the main thread quietly", async () => {
  const script = `
    import { _DeflatePool } from ${
    JSON.stringify(new URL("../../src/extensions/_deflate_pool.ts", import.meta.url).href)
  };
    const pool = new _DeflatePool(1);
    const lease = pool.lease();
    const out = await lease.deflate(new Uint8Array(20000).fill(65), { windowBits: 15, level: 6, memLevel: 8 }, false, false);
    console.log(out.length > 0 && out.length < 100, pool.workers);
    lease.close();
  `;
  const output = await run(script);
  assert.equal(output.stderr, "");
  assert.equal(output.stdout.trim(), "true 0");
});

async function run(source: string): Promise<{ stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", "--no-lock", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(encoder.encode(source));
  await writer.close();
  const { stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("a context compressed on the main thread while its worker starts moves to the worker intact", async () => {
  const pool = new _DeflatePool(1);
  const lease = pool.lease();
  const options = { windowBits: 15, level: 6, memLevel: 8 };
  // Similar texts, so that each message refers back to the one before under context takeover.
  const texts = [0, 1, 2, 3, 4, 5].map((i) => jsonLikeText(9000, i % 2));
  const early = await Promise.all(
    texts.slice(0, 3).map((t) => lease.deflate(encoder.encode(t), options, true, false)),
  );
  assert.equal(pool.workers, 0, "compressed before the worker was ready");
  await until(() => pool.workers === 1, "the worker", 10_000);
  const late = await Promise.all(
    texts.slice(3).map((t) => lease.deflate(encoder.encode(t), options, true, false)),
  );
  // One inflater with context takeover, as a peer has, reads them all in order.
  const inflater = new _ZlibStream("inflate", { windowBits: 15 });
  const tail = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
  const decoded = [...early, ...late].map((bytes) => {
    const pieces: Uint8Array[] = [];
    inflater.write(bytes, (piece) => pieces.push(piece.slice()));
    inflater.write(tail, (piece) => pieces.push(piece.slice()));
    return new TextDecoder().decode(concat(...pieces));
  });
  inflater.close();
  assert.deepEqual(decoded, texts);
  // On the worker the window starts empty, then keeps: the text it compressed first comes back
  // in a few bytes.
  assert.ok(late[0]!.length > 500, `${late[0]!.length} bytes`);
  assert.ok(late[2]!.length < 300, `${late[2]!.length} bytes`);
  lease.close();
  assert.equal(pool.workers, 0);
});
