/**
 * End-to-end benchmark: starts each echo server as a child process on 127.0.0.1, drives it with
 * the `wsload` load generator and prints a markdown table with ratios measured in the same run.
 *
 * ```sh
 * deno task bench:e2e                       # everything, 3 runs per figure (~8 minutes)
 * deno task bench:e2e --servers streams,deno --cases throughput --repeat 1
 * ```
 *
 * Options: `--servers` (streams,native,deno,ws,bun,floor), `--cases`
 * (throughput,latency,bulk,bulk-text,idle), `--repeat N`, `--duration S`, `--warmup S`,
 * `--idle-connections N`, `--hold S`, `--out FILE`,
 * `--pin` (each server on CPU 0 and `wsload` on CPU 1, with `taskset`: on a machine with few cores
 * this keeps the two from landing on one core now and then, which otherwise scatters the runs),
 * `--max-steal P` and `--redo N` (default 5 and 2: a run during which the hypervisor took more than
 * P% of the machine's CPU time, 100 being one core, measured another machine than the others: it
 * is run again, at most N times, and the last attempt is kept; 0 turns this off).
 * The report is also written to `bench/.results/e2e-<time>.md` with the raw reports as `.json`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CASES, type CaseSettings, type CaseSpec, problemsOf } from "./_cases.ts";
import { renderReport, type ReportContext, type Sample } from "./_report.ts";
import { type ServerProcess, SERVERS, type ServerSpec, startServer } from "./_servers.ts";
import { ensureWsload, runWsload } from "./_wsload.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    servers: { type: "string", default: SERVERS.map((s) => s.id).join(",") },
    cases: { type: "string", default: CASES.map((c) => c.id).join(",") },
    repeat: { type: "string", default: "3" },
    duration: { type: "string", default: "4" },
    warmup: { type: "string", default: "1" },
    "idle-connections": { type: "string", default: "10000" },
    hold: { type: "string", default: "3" },
    out: { type: "string" },
    pin: { type: "boolean", default: false },
    "max-steal": { type: "string", default: "5" },
    redo: { type: "string", default: "2" },
  },
});

const settings: CaseSettings = {
  duration: Number(flags.duration),
  warmup: Number(flags.warmup),
  idleConnections: Number(flags["idle-connections"]),
  hold: Number(flags.hold),
};
const repeat = Number(flags.repeat);
const maxSteal = Number(flags["max-steal"]);
const redo = maxSteal > 0 ? Number(flags.redo) : 0;
if (!(maxSteal >= 0) || !Number.isInteger(redo) || redo < 0) {
  console.error("Cannot run: --max-steal must be a number ≥ 0 and --redo an integer ≥ 0");
  Deno.exit(2);
}
const wanted = new Set(flags.servers.split(","));
const cases = CASES.filter((c) => flags.cases.split(",").includes(c.id));
const [serverCpus, wsloadCpus] = flags.pin ? await pinning() : [undefined, undefined];

const started = performance.now();
const wsload = await ensureWsload();
const servers: ServerSpec[] = [];
const skipped: ReportContext["skipped"] = [];
for (const spec of SERVERS.filter((s) => wanted.has(s.id))) {
  const reason = await spec.prepare();
  if (reason === null) servers.push(spec);
  else {
    skipped.push({ spec, reason });
    console.error(`skipping ${spec.label}: ${reason}`);
  }
}

const samples: Sample[] = [];
for (let rep = 0; rep < repeat; rep++) {
  for (const c of cases) {
    // Rotate the order each round so that drift in machine load does not favour one server.
    const order = servers.map((_, i) => servers[(i + rep) % servers.length]!);
    for (const spec of order) {
      let sample = await measure(spec, c, rep);
      for (let attempt = 1; attempt <= redo && stolen(sample) > maxSteal; attempt++) {
        console.error(
          `[${rep + 1}/${repeat}] ${c.id.padEnd(10)} ${spec.label.padEnd(13)} ` +
            `steal ${stolen(sample)}%: run again`,
        );
        sample = { ...await measure(spec, c, rep), redone: attempt };
      }
      if (stolen(sample) > maxSteal && maxSteal > 0) {
        sample.problems.push(
          `steal over ${maxSteal}% in all ${redo + 1} attempts (${stolen(sample)}% in the last)`,
        );
      }
      samples.push(sample);
      const r = sample.report;
      console.error(
        `[${rep + 1}/${repeat}] ${c.id.padEnd(10)} ${spec.label.padEnd(13)} ` +
          (r === undefined ? `ERROR ${sample.error?.split("\n")[0]}` : [
            r.msgs_per_sec !== undefined ? `${Math.round(r.msgs_per_sec)} msgs/s` : "",
            r.lat_us ? `p50 ${r.lat_us.p50}µs p99 ${r.lat_us.p99}µs` : "",
            r.bytes_per_conn !== undefined ? `${r.bytes_per_conn} B/conn` : "",
            r.gen_cpu_pct !== undefined ? `gen ${r.gen_cpu_pct}%` : "",
            r.server_cpu_pct !== undefined ? `server ${r.server_cpu_pct}%` : "",
            sample.problems.join("; "),
          ].filter(Boolean).join("  ")),
      );
    }
  }
}

// One run of case `c` against a fresh server process.
async function measure(spec: ServerSpec, c: CaseSpec, rep: number): Promise<Sample> {
  const sample: Sample = { server: spec.id, caseId: c.id, rep, args: [], problems: [] };
  let server: ServerProcess | undefined;
  try {
    server = await startServer(spec, serverCpus);
    sample.args = c.args(server.port, server.pid, settings);
    const run = await runWsload(wsload, sample.args, wsloadCpus);
    sample.report = run.report;
    sample.problems = problemsOf(c, run.report, settings);
    if (sample.problems.length > 0 && run.stderr) {
      sample.problems.push(run.stderr.trim().split("\n").slice(0, 2).join(" "));
    }
  } catch (error) {
    sample.error = error instanceof Error ? error.message : String(error);
  } finally {
    await server?.stop();
  }
  return sample;
}

// The CPU time the hypervisor took during a run (100 = one core), 0 when unknown.
function stolen(sample: Sample): number {
  return sample.report?.host_cpu_pct?.steal ?? 0;
}

const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const versions = [...new Set(await Promise.all(servers.map((s) => s.version())))];
const context: ReportContext = {
  date,
  command: ["deno task bench:e2e", ...Deno.args].join(" "),
  machine: await machine(),
  versions,
  settings,
  repeat,
  pinned: flags.pin,
  maxSteal: redo > 0 ? maxSteal : undefined,
  servers,
  skipped,
  elapsedSeconds: (performance.now() - started) / 1000,
};
const markdown = renderReport(samples, context);
console.log(markdown);

const resultsDir = new URL("../.results/", import.meta.url);
await Deno.mkdir(resultsDir, { recursive: true });
const stem = `e2e-${date.replaceAll(":", "")}`;
await Deno.writeTextFile(new URL(`${stem}.md`, resultsDir), markdown);
await Deno.writeTextFile(
  new URL(`${stem}.json`, resultsDir),
  JSON.stringify({ context: { ...context, servers: servers.map((s) => s.id) }, samples }, null, 2),
);
if (flags.out) await Deno.writeTextFile(flags.out, markdown);
console.error(`written to bench/.results/${stem}.md${flags.out ? ` and ${flags.out}` : ""}`);

// CPUs for the server and for wsload; fails unless `taskset` runs and there are two CPUs.
async function pinning(): Promise<[string, string]> {
  if (navigator.hardwareConcurrency < 2) throw new Error("--pin needs at least two CPUs");
  try {
    const probe = await new Deno.Command("taskset", { args: ["-c", "1", "true"] }).output();
    if (!probe.success) throw new Error(`exit ${probe.code}`);
  } catch (error) {
    throw new Error(`--pin needs taskset on CPU 1: ${error}`);
  }
  return ["0", "1"];
}

async function machine(): Promise<string> {
  let model = "unknown CPU";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    model = /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? model;
  } catch {
    // Not Linux.
  }
  return `${navigator.hardwareConcurrency} cores (${model}), Linux ${Deno.osRelease()}`;
}
