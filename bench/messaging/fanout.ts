/**
 * End-to-end fan-out: one publisher, N subscribers on one topic, for this library's router
 * against Bun's `server.publish` topics and a `ws` broadcast loop on Node, in the same run.
 * Load from `wsload broadcast` (one sender connection publishes `--rate` messages/s; every
 * other connection counts deliveries and measures latency from the timestamp in the payload).
 *
 * Usage: deno run -A bench/messaging/fanout.ts [--cases 1000@100,1000@1000,10000@10,10000@100]
 *          [--size 64] [--duration 5] [--warmup 2] [--threads 1] [--rounds 3]
 *          [--servers aero,bun,ws]
 *
 * Each case is RECEIVERS@RATE (messages/s published). The servers run one after the other,
 * `--rounds` times in rotating order; the row of each server is its median round by delivered
 * rate. Prints a Markdown table.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { SERVERS, type ServerSpec, startServer } from "../e2e/_servers.ts";
import { ensureWsload, runWsload, type WsloadReport } from "../e2e/_wsload.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    cases: { type: "string", default: "1000@100,1000@1000,10000@10,10000@100" },
    rounds: { type: "string", default: "3" },
    size: { type: "string", default: "64" },
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    threads: { type: "string", default: "1" },
    servers: { type: "string", default: "aero,bun,ws" },
  },
});

const root = new URL("../../", import.meta.url).pathname;
const listen = (port: number) => ["--port", String(port), "--hostname", "127.0.0.1"];
const reference = (id: "bun" | "ws") => SERVERS.find((s) => s.id === id)!;

const SPECS: Record<string, ServerSpec> = {
  aero: {
    id: "streams",
    label: "aero router",
    description: "`bench/messaging/servers/aero_fanout.ts` (serve() + createRouter, Router.attach)",
    prepare: () => Promise.resolve(null),
    command: (port) => [
      Deno.execPath(),
      "run",
      "-A",
      `${root}bench/messaging/servers/aero_fanout.ts`,
      ...listen(port),
    ],
    version: () => Promise.resolve(`Deno ${Deno.version.deno}`),
  },
  "aero-native": {
    id: "native",
    label: "aero router (native engine)",
    description: "`bench/messaging/servers/aero_fanout.ts --engine native`",
    prepare: () => Promise.resolve(null),
    command: (port) => [
      Deno.execPath(),
      "run",
      "-A",
      `${root}bench/messaging/servers/aero_fanout.ts`,
      ...listen(port),
      "--engine",
      "native",
    ],
    version: () => Promise.resolve(`Deno ${Deno.version.deno}`),
  },
  bun: {
    ...reference("bun"),
    label: "Bun server.publish",
    description: "`bench/messaging/servers/bun_fanout.ts` (Bun.serve topics)",
    command: (port) => ["bun", `${root}bench/messaging/servers/bun_fanout.ts`, ...listen(port)],
  },
  ws: {
    ...reference("ws"),
    label: "ws broadcast loop",
    description: "`bench/messaging/servers/ws_fanout.mjs` (ws on Node, send to every client)",
    command: (port) => ["node", `${root}bench/messaging/servers/ws_fanout.mjs`, ...listen(port)],
  },
};

interface Row {
  server: string;
  receivers: number;
  rate: number;
  report: WsloadReport;
}

const wsload = await ensureWsload();
const cases = values.cases.split(",").map((c) => c.split("@").map(Number) as [number, number]);
const servers = values.servers.split(",");
const rounds = Number(values.rounds);
const rows: Row[] = [];
const commands: string[] = [];
for (const id of servers) {
  const skip = await SPECS[id]!.prepare();
  if (skip !== null) throw new Error(`Cannot run ${id}: ${skip}`);
}
for (const [receivers, rate] of cases) {
  const runs = new Map<string, WsloadReport[]>(servers.map((id) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
    for (const id of order) {
      const spec = SPECS[id]!;
      const server = await startServer(spec);
      try {
        const args = [
          "broadcast",
          ...["-u", `ws://127.0.0.1:${server.port}/`, "-c", String(receivers)],
          ...[
            "--rate",
            String(rate),
            "-s",
            values.size,
            "-T",
            values.duration,
            "-w",
            values.warmup,
          ],
          ...["-t", values.threads, "--server-pid", String(server.pid)],
        ];
        const { report, stderr } = await runWsload(wsload, args);
        if (round === 0 && id === servers[0]) commands.push(`wsload ${args.join(" ")}`);
        if ((report.errors ?? 0) > 0) console.error(`${spec.label}: ${stderr.trim().slice(-500)}`);
        runs.get(id)!.push(report);
        console.error(
          `${spec.label} ${receivers}@${rate}: ${Math.round(report.msgs_per_sec ?? 0)} msg/s, ` +
            `p99 ${report.lat_us?.p99} µs, host others ${report.host_cpu_pct?.others}%`,
        );
      } finally {
        await server.stop();
      }
    }
  }
  for (const id of servers) {
    const sorted = runs.get(id)!.sort((a, b) => (a.msgs_per_sec ?? 0) - (b.msgs_per_sec ?? 0));
    rows.push({ server: id, receivers, rate, report: sorted[Math.floor(sorted.length / 2)]! });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (us: number | undefined) => us === undefined ? "—" : (us / 1000).toFixed(2);
const lines = [
  "| receivers | rate (msg/s) | server | delivered msg/s | expected msg/s | p50 ms | p99 ms | server CPU % | other load % | errors | vs Bun | vs ws |",
  "| --: | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
];
for (const row of rows) {
  const same = (id: string) =>
    rows.find((r) => r.receivers === row.receivers && r.rate === row.rate && r.server === id);
  const ratio = (id: string) => {
    const other = same(id)?.report.msgs_per_sec;
    return other ? `${((row.report.msgs_per_sec ?? 0) / other).toFixed(2)}×` : "—";
  };
  const r = row.report;
  lines.push(
    `| ${fmt(row.receivers)} | ${fmt(row.rate)} | ${SPECS[row.server]!.label} | ${
      fmt(r.msgs_per_sec ?? 0)
    } | ${fmt(Number(r.expected_per_sec ?? 0))} | ${ms(r.lat_us?.p50)} | ${ms(r.lat_us?.p99)} | ${
      Math.round(Number(r.server_cpu_pct ?? 0))
    } | ${Math.round(Number(r.host_cpu_pct?.others ?? 0))} | ${r.errors ?? 0} | ${ratio("bun")} | ${
      ratio("ws")
    } |`,
  );
}
console.log(lines.join("\n"));
console.log("\nCommands (port varies per server):\n");
for (const command of commands) console.log(`    ${command}`);
