/**
 * End-to-end compression benchmark: AeroSocket's streams server against the `ws` package (under
 * Node and under Deno), both with permessage-deflate at equal settings (level 6, memLevel 8,
 * 15-bit windows, threshold 1024), measured in the same run.
 *
 * ```sh
 * deno run -A bench/extensions/deflate_echo.ts [--duration 4] [--connections 4] [--window 16]
 *   [--mem-connections 300] [--servers aero,ws-node,ws-deno] [--out FILE]
 * ```
 *
 * Throughput: raw-TCP clients (see `_raw_client.ts`) keep `window` compressed JSON-like messages
 * in flight per connection and only count the echoes, so the server is the bottleneck. They
 * offer `client_no_context_takeover` so pre-compressed frames can be replayed; the server keeps
 * its own compression context. Server CPU comes from `/proc/<pid>/stat`.
 * Memory: after 4 warm-up connections (one-time setup: code, pools, compression workers),
 * `mem-connections` connections each exchange one 16 KiB message (so every inflate and
 * deflate context is allocated), then the server's RSS growth is divided by their number.
 *
 * @module
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { constants, deflateRawSync } from "node:zlib";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import { OPCODE, parseExtensionHeader } from "../../src/protocol/mod.ts";
import { jsonMessages } from "./_payloads.ts";
import { clientFrame, createFrameCounter, rawConnect } from "./_raw_client.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "4" },
    warmup: { type: "string", default: "1" },
    connections: { type: "string", default: "4" },
    window: { type: "string", default: "16" },
    "mem-connections": { type: "string", default: "300" },
    servers: { type: "string", default: "aero,ws-node,ws-deno" },
    out: { type: "string" },
  },
});
const DURATION = Number(flags.duration) * 1000;
const WARMUP = Number(flags.warmup) * 1000;
const CONNECTIONS = Number(flags.connections);
const WINDOW = Number(flags.window);
const MEM_CONNECTIONS = Number(flags["mem-connections"]);

const wsPath = createRequire(import.meta.url).resolve("ws");
const here = new URL(".", import.meta.url);
const script = (name: string) => new URL(`servers/${name}`, here).pathname;

interface ServerSpec {
  id: string;
  label: string;
  command: (port: number, mode: string) => [string, string[]];
}
const hasNode = await new Deno.Command("node", { args: ["--version"], stdout: "null" }).output()
  .then((o) => o.success, () => false);
const ALL_SERVERS: ServerSpec[] = [
  {
    id: "aero",
    label: "AeroSocket (streams)",
    command: (
      port,
      mode,
    ) => [Deno.execPath(), ["run", "-A", script("aero_deflate_echo.ts"), String(port), mode]],
  },
  {
    id: "ws-node",
    label: "ws on Node",
    command: (port, mode) => ["node", [script("ws_deflate_echo.mjs"), String(port), wsPath, mode]],
  },
  {
    id: "ws-deno",
    label: "ws on Deno",
    command: (
      port,
      mode,
    ) => [Deno.execPath(), [
      "run",
      "-A",
      script("ws_deflate_echo.mjs"),
      String(port),
      wsPath,
      mode,
    ]],
  },
];
const SERVERS = ALL_SERVERS.filter((s) =>
  flags.servers.split(",").includes(s.id) && (s.id !== "ws-node" || hasNode)
);

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function start(spec: ServerSpec, mode: string) {
  const port = freePort();
  const [cmd, args] = spec.command(port, mode);
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "inherit" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Cannot start ${spec.label}: it exited`);
    out += value;
  }
  clearTimeout(timer);
  void reader.read().then(function drain(r): unknown {
    return r.done ? undefined : reader.read().then(drain);
  }, () => {});
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await child.status;
      clearTimeout(timer);
    },
  };
}

function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ ticks
}

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let n = 0; n < bytes.length;) n += await conn.write(bytes.subarray(n));
}

/** Standalone compressed forms (RFC 7692 §7.2.1: sync flush, 00 00 ff ff removed). */
function standalone(message: Uint8Array): Uint8Array {
  const out = deflateRawSync(message, { finishFlush: constants.Z_SYNC_FLUSH, level: 6 });
  return new Uint8Array(out.subarray(0, out.length - 4));
}

/** A ring of masked frames: frames `k..k+n` (n ≤ count) are one contiguous view. */
function ring(messages: Uint8Array[]) {
  const frames = messages.map((m) => clientFrame(standalone(m), true));
  const offsets = [0];
  for (const frame of [...frames, ...frames]) offsets.push(offsets.at(-1)! + frame.length);
  const bytes = new Uint8Array(offsets.at(-1)!);
  [...frames, ...frames].forEach((frame, i) => bytes.set(frame, offsets[i]!));
  return (k: number, n: number) =>
    bytes.subarray(offsets[k % frames.length]!, offsets[(k % frames.length) + n]!);
}

async function throughput(port: number, pid: number, size: number) {
  const frames = ring(jsonMessages(size, 64));
  const offer = "permessage-deflate; client_no_context_takeover";
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => rawConnect(port, offer)),
  );
  if (!clients.every((c) => c.extensions.startsWith("permessage-deflate"))) {
    throw new Error("Cannot benchmark: permessage-deflate was not negotiated");
  }
  let counting = false;
  let running = true;
  let echoes = 0;
  let echoBytes = 0;
  const loops = clients.map(async ({ conn }) => {
    const counter = createFrameCounter();
    let sent = WINDOW;
    await writeAll(conn, frames(0, WINDOW));
    const buffer = new Uint8Array(256 * 1024);
    while (running) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error("Cannot benchmark: the server closed a connection");
      const before = counter.payloadBytes;
      const done = counter.push(buffer.subarray(0, n));
      if (counting) {
        echoes += done;
        echoBytes += counter.payloadBytes - before;
      }
      for (let left = done; left > 0 && running;) {
        const batch = Math.min(left, 64);
        await writeAll(conn, frames(sent, batch));
        sent += batch;
        left -= batch;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, WARMUP));
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  counting = true;
  await new Promise((resolve) => setTimeout(resolve, DURATION));
  counting = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  running = false;
  for (const { conn } of clients) conn.close();
  await Promise.allSettled(loops);
  return {
    msgsPerSec: echoes / seconds,
    cpuPct: (cpu / seconds) * 100,
    cpuUsPerMsg: (cpu / echoes) * 1e6,
    ratio: echoBytes / (echoes * size),
  };
}

async function memoryPerConnection(port: number, pid: number, mode: string) {
  const message = jsonMessages(16 * 1024, 1)[0]!;
  const offer = mode === "takeover"
    ? "permessage-deflate"
    : mode === "no-takeover"
    ? "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    : undefined;
  const frame = clientFrame(
    offer === undefined ? message : standalone(message),
    offer !== undefined,
  );
  const exchange = async (count: number) => {
    const batch = await Promise.all(
      Array.from({ length: count }, () => rawConnect(port, offer)),
    );
    await Promise.all(batch.map(async ({ conn }) => {
      await writeAll(conn, frame);
      const counter = createFrameCounter();
      const buffer = new Uint8Array(64 * 1024);
      while (counter.push(buffer.subarray(0, (await conn.read(buffer)) ?? 0)) === 0) { /* wait */ }
    }));
    return batch;
  };
  // What the server sets up once, not per connection (code, buffer pools, compression workers:
  // one per core at most, each connection keeping to one in turn), comes before the baseline:
  // a few connections exchange a message first and stay open throughout.
  const warm = await exchange(4);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = rssKiB(pid);
  const clients = [];
  for (let i = 0; i < MEM_CONNECTIONS; i += 50) {
    clients.push(...await exchange(Math.min(50, MEM_CONNECTIONS - i)));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = rssKiB(pid);
  for (const { conn } of [...warm, ...clients]) conn.close();
  return ((after - before) * 1024) / MEM_CONNECTIONS;
}

/** Compression ratio of our extension over 64 distinct messages, context takeover on and off. */
function ratio(size: number, takeover: boolean): number {
  const messages = jsonMessages(size, 64);
  const header = takeover ? "permessage-deflate" : "permessage-deflate; server_no_context_takeover";
  const { extension } = perMessageDeflate({ threshold: 0 }).accept(parseExtensionHeader(header))!;
  let out = 0;
  for (const m of messages) out += extension.encode(OPCODE.TEXT, m).payload.length;
  extension.close();
  return out / (messages.length * size);
}

const lines: string[] = [];
const print = (line: string) => {
  console.log(line);
  lines.push(line);
};
print(
  `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs; ${CONNECTIONS} connections × ${WINDOW} in flight, ${
    DURATION / 1000
  } s per figure.`,
);
print("");
print(
  "| payload | server | echoes/s | vs ws on Node | server CPU | CPU µs/echo | echo size / original |",
);
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const size of [1024, 16 * 1024]) {
  const results = new Map<string, Awaited<ReturnType<typeof throughput>>>();
  for (const spec of SERVERS) {
    const server = await start(spec, "deflate");
    try {
      results.set(spec.id, await throughput(server.port, server.pid, size));
    } finally {
      await server.stop();
    }
  }
  const reference = results.get("ws-node") ?? results.get("ws-deno");
  for (const spec of SERVERS) {
    const r = results.get(spec.id)!;
    const vs = reference === undefined
      ? "—"
      : `${(r.msgsPerSec / reference.msgsPerSec).toFixed(2)}×`;
    print(
      `| ${size / 1024} KiB JSON | ${spec.label} | ${
        Math.round(r.msgsPerSec).toLocaleString("en")
      } | ${vs} | ${r.cpuPct.toFixed(0)}% | ${r.cpuUsPerMsg.toFixed(1)} | ${r.ratio.toFixed(3)} |`,
    );
  }
}
print("");
print(
  `Per-connection memory (server RSS growth / ${MEM_CONNECTIONS} connections, one 16 KiB message each way):`,
);
print("");
print("| server | no compression | deflate, context takeover | deflate, no context takeover |");
print("| --- | ---: | ---: | ---: |");
for (const spec of SERVERS) {
  const cells = [];
  for (const mode of ["plain", "takeover", "no-takeover"]) {
    const server = await start(spec, mode === "plain" ? "plain" : "deflate");
    try {
      cells.push(
        `${(await memoryPerConnection(server.port, server.pid, mode) / 1024).toFixed(1)} KiB`,
      );
    } finally {
      await server.stop();
    }
  }
  print(`| ${spec.label} | ${cells.join(" | ")} |`);
}
print("");
print("Compression ratio of AeroSocket's encoder (compressed / original, 64 distinct messages):");
print("");
print("| payload | context takeover | no context takeover |");
print("| --- | ---: | ---: |");
for (const size of [1024, 16 * 1024]) {
  print(
    `| ${size / 1024} KiB JSON | ${ratio(size, true).toFixed(3)} | ${
      ratio(size, false).toFixed(3)
    } |`,
  );
}
if (flags.out !== undefined) Deno.writeTextFileSync(flags.out, lines.join("\n") + "\n");
