/**
 * In-process cost of the streams engine's per-message path, without the kernel: one server
 * `Connection` over a scripted socket whose every read returns the same batch of masked text
 * frames (whole frames, as a peer's batch usually arrives; a frame larger than the connection's
 * read buffer arrives over several reads, `--reads` counting whole batches), echoed by the loop a
 * user writes
 * (`for await (const message of conn) conn.send(message.data)`). Reports nanoseconds per echoed
 * message (best and median of `--rounds`) and, with `--alloc`, bytes allocated per message with
 * the largest allocation sites (V8's sampling heap profiler).
 *
 * ```sh
 * deno run -A bench/connection/pipeline.ts [--batch 16] [--reads 20000] [--size 32]
 *   [--rounds 7] [--alloc]
 * ```
 *
 * The scripted socket completes each read in a later event-loop turn (`setImmediate`), as a real
 * one does, and every write at once. Its own cost (about 2 µs per read here, so ~125 ns per
 * message at 16 per read) is included. This is a tool for comparing builds on one machine, not
 * a measure of a server: `deno task bench:e2e` measures servers.
 *
 * @module
 */
import { Session } from "node:inspector";
import { parseArgs } from "node:util";
import { Connection } from "../../src/connection/connection.ts";
import { _SocketTransport } from "../../src/connection/_socket_transport.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/mod.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    batch: { type: "string", default: "16" },
    reads: { type: "string", default: "20000" },
    size: { type: "string", default: "32" },
    rounds: { type: "string", default: "7" },
    alloc: { type: "boolean", default: false },
  },
});
const batch = Number(flags.batch);
const reads = Number(flags.reads);
const size = Number(flags.size);
const rounds = Number(flags.rounds);

const payload = new TextEncoder().encode("x".repeat(size));
const frame = encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload }, { mask: true });
const chunk = new Uint8Array(frame.length * batch);
for (let i = 0; i < batch; i++) chunk.set(frame, i * frame.length);

// One connection echoing `reads` batches of `batch` messages; resolves with ns per message.
async function round(): Promise<number> {
  let readCount = 0;
  let written = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // Where the next read starts in the batch: a frame larger than the reader's buffer arrives over
  // several reads, as from a real socket.
  let offset = 0;
  const socket = {
    read(into: Uint8Array): Promise<number | null> {
      if (readCount >= reads) {
        finish();
        return new Promise(() => {});
      }
      // Whole frames, as many as fit (the first read is smaller than a batch); part of one when
      // not even one fits.
      const rest = chunk.length - offset;
      const whole = Math.floor(into.length / frame.length) * frame.length;
      const length = Math.min(rest, whole > 0 ? whole : into.length);
      into.set(chunk.subarray(offset, offset + length));
      offset += length;
      if (offset === chunk.length) {
        offset = 0;
        readCount++;
      }
      return new Promise((resolve) => setImmediate(() => resolve(length)));
    },
    write(bytes: Uint8Array): Promise<number> {
      written += bytes.length;
      return Promise.resolve(bytes.length);
    },
    close() {},
    closeWrite: () => Promise.resolve(),
  } as unknown as Deno.Conn;
  const conn = new Connection(new _SocketTransport(socket), {
    role: "server",
    keepalive: { pingInterval: 0 },
  });
  (async () => {
    for await (const message of conn) conn.send(message.data);
  })();
  const start = performance.now();
  await finished;
  const ns = (performance.now() - start) * 1e6 / (reads * batch);
  // Every message was echoed but those of the first, smaller read and of the last read.
  const header = size < 126 ? 2 : size < 65536 ? 4 : 10;
  if (written < (reads - 2) * batch * (size + header)) {
    throw new Error(`Cannot measure: only ${written} bytes were echoed`);
  }
  return ns;
}

interface _ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: _ProfileNode[];
}

const session = new Session();
const post = <T>(method: string, params: object = {}) =>
  new Promise<T>((resolve, reject) =>
    session.post(method, params, (error, result) => error ? reject(error) : resolve(result as T))
  );
if (flags.alloc) {
  session.connect();
  await post("HeapProfiler.enable");
  await post("HeapProfiler.startSampling", {
    samplingInterval: 128,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

const results: number[] = [];
for (let i = 0; i < rounds; i++) results.push(await round());
results.sort((a, b) => a - b);
console.log(
  `${batch} × ${size}-byte text per read: best ${results[0]!.toFixed(0)} ns/message, ` +
    `median ${results[results.length >> 1]!.toFixed(0)} ns/message (${rounds} rounds)`,
);

if (flags.alloc) {
  const { profile } = await post<{ profile: { head: _ProfileNode } }>(
    "HeapProfiler.stopSampling",
  );
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: _ProfileNode) => {
    const f = node.callFrame;
    const site = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${
      f.lineNumber + 1
    }`;
    total += node.selfSize;
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const messages = rounds * reads * batch;
  console.log(`allocated: ${(total / messages).toFixed(0)} bytes/message (sampled)`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${(bytes / messages).toFixed(1).padStart(6)} B  ${site}`);
  }
}
Deno.exit(0);
