/**
 * The hot-path cost of counting, without sockets or other processes: a `Connection` pair over
 * an in-memory transport echoes 20,000 32-byte text messages (16 in flight), alternately
 * without and with `metrics`, in the same run. Prints median times and the overhead.
 *
 *     deno run -A bench/observability/connection_echo.ts [--rounds 12]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Connection } from "../../src/connection/mod.ts";
import { ServerMetrics } from "../../src/observability/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";
import { median } from "../e2e/_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { rounds: { type: "string", default: "12" } },
});
const _TEXT = "x".repeat(32);
const _MESSAGES = 20_000;
const _DEPTH = 16;

async function run(metrics: ServerMetrics | undefined): Promise<number> {
  const [a, b] = createTransportPair();
  const server = new Connection(a, { role: "server", ...(metrics ? { metrics } : {}) });
  const client = new Connection(b, { role: "client" });
  const done = (async () => {
    for await (const message of server) server.send(message.data);
  })();
  const replies = client[Symbol.asyncIterator]();
  const start = performance.now();
  for (let i = 0; i < _DEPTH; i++) client.send(_TEXT);
  for (let received = 0; received < _MESSAGES; received++) {
    if ((await replies.next()).done) throw new Error("Cannot echo: connection closed");
    client.send(_TEXT);
  }
  const elapsed = performance.now() - start;
  client.close();
  await Promise.all([done, client.closed, server.closed]);
  return elapsed;
}

const metrics = new ServerMetrics();
const off: number[] = [];
const on: number[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  off.push(await run(undefined));
  on.push(await run(metrics));
}
const ratio = median(on)! / median(off)!;
const pairs = median(on.map((t, i) => t / off[i]!))!;
console.log(
  `in-memory echo of ${_MESSAGES} messages: off ${median(off)!.toFixed(1)} ms, ` +
    `on ${median(on)!.toFixed(1)} ms; overhead ${((ratio - 1) * 100).toFixed(1)}% ` +
    `(ratio of medians; median of per-round ratios ${((pairs - 1) * 100).toFixed(1)}%)`,
);
