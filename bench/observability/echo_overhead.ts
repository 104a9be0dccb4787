/**
 * Echo throughput with metrics disabled and enabled, in the same run: for each engine, rounds
 * alternate between a server without `metrics` and one with a `ServerMetrics`, each measured by
 * `wsload` (64 connections × 16 in flight × 32-byte text messages). Prints median throughput and
 * server CPU time per message of each, and the overhead in percent. CPU per message is the
 * robust figure on a shared machine: other load changes throughput far more than it changes
 * what one message costs.
 *
 *     deno run -A bench/observability/echo_overhead.ts [--rounds 10] [--seconds 2] [--engine streams|native|both]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ensureWsload, runWsload } from "../e2e/_wsload.ts";
import { median } from "../e2e/_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "10" },
    seconds: { type: "string", default: "2" },
    engine: { type: "string", default: "both" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const engines = values.engine === "both" ? ["streams", "native"] : [values.engine!];
const server = new URL("./servers/echo_server.ts", import.meta.url).pathname;
const wsload = await ensureWsload();

interface _Server {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function start(engine: string, metrics: boolean): Promise<_Server> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      server,
      "--port",
      "0",
      "--engine",
      engine,
      ...(metrics ? ["--metrics"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cannot start echo server: it exited");
    line += value;
  }
  reader.releaseLock();
  const port = Number(/ready (\d+)/.exec(line)?.[1]);
  return {
    port,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

interface _Rate {
  /** Echoed messages per second. */
  rate: number;
  /** Server CPU time per echoed message, in microseconds. */
  cpu: number;
}

async function measure(target: _Server): Promise<_Rate> {
  const run = await runWsload(wsload, [
    "echo",
    "-u",
    `ws://127.0.0.1:${target.port}/`,
    "-c",
    "64",
    "-d",
    "16",
    "-s",
    "32",
    "-T",
    String(seconds),
    "-w",
    "1",
    "--server-pid",
    String(target.pid),
    "-q",
  ]);
  if ((run.report.errors ?? 0) > 0) throw new Error(`wsload reported errors: ${run.stderr}`);
  const rate = run.report.msgs_per_sec ?? 0;
  return { rate, cpu: ((run.report.server_cpu_pct ?? NaN) / 100) * 1e6 / rate };
}

for (const engine of engines) {
  // Both servers run for the whole measurement; each round measures them back to back (order
  // alternating), and the overhead is the median of the per-round ratios, so that load from
  // elsewhere on the machine, which drifts slowly, mostly cancels out.
  const off = await start(engine, false);
  const on = await start(engine, true);
  const off_: _Rate[] = [];
  const on_: _Rate[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        off_.push(await measure(off));
        on_.push(await measure(on));
      } else {
        on_.push(await measure(on));
        off_.push(await measure(off));
      }
    }
  } finally {
    await off.stop();
    await on.stop();
  }
  const rateRatios = off_.map((o, i) => on_[i]!.rate / o.rate);
  const cpuRatios = off_.map((o, i) => on_[i]!.cpu / o.cpu);
  const pct = (ratio: number) => ((ratio - 1) * 100).toFixed(1);
  console.log(
    `${engine}: throughput off ${Math.round(median(off_.map((r) => r.rate))!)} msgs/s, ` +
      `on ${Math.round(median(on_.map((r) => r.rate))!)} msgs/s; ` +
      `server CPU per message off ${median(off_.map((r) => r.cpu))!.toFixed(2)} µs, ` +
      `on ${median(on_.map((r) => r.cpu))!.toFixed(2)} µs (medians of ${rounds} rounds)\n` +
      `  overhead: CPU per message ${pct(median(cpuRatios)!)}%, ` +
      `throughput ${pct(1 / median(rateRatios)!)}% (medians of per-round ratios)`,
  );
}
