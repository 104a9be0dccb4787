/**
 * Turns the runs of the end-to-end benchmark into a markdown report: a summary with ratios,
 * the goals, and per-case details (spread, server and generator CPU, machine load).
 *
 * @module
 */
import { CASES, type CaseSettings, type CaseSpec, type Metric } from "./_cases.ts";
import type { ServerId, ServerSpec } from "./_servers.ts";
import type { WsloadReport } from "./_wsload.ts";

/** One run of one case against one server. */
export interface Sample {
  server: ServerId;
  caseId: CaseSpec["id"];
  rep: number;
  args: string[];
  report?: WsloadReport;
  problems: string[];
  error?: string;
  /** How many earlier attempts of this run were dropped for steal (see `--max-steal`). */
  redone?: number;
}

/** Everything the report shows besides the samples. */
export interface ReportContext {
  date: string;
  command: string;
  machine: string;
  versions: string[];
  settings: CaseSettings;
  repeat: number;
  /** Whether each server ran on CPU 0 and wsload on CPU 1. */
  pinned: boolean;
  /** Runs with more steal than this (100 = one core) were run again; `undefined`: never. */
  maxSteal?: number | undefined;
  servers: readonly ServerSpec[];
  skipped: { spec: ServerSpec; reason: string }[];
  elapsedSeconds: number;
}

/** Median of `values` (mean of the middle two for an even count). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function _values(samples: Sample[], c: CaseSpec, server: ServerId, read: Metric["read"]) {
  const values: number[] = [];
  for (const s of samples) {
    if (s.caseId !== c.id || s.server !== server || s.report === undefined) continue;
    const v = read(s.report);
    if (v !== undefined && Number.isFinite(v)) values.push(v);
  }
  return values;
}

/** The median of `metric` for `server`, or `undefined`. */
export function figure(samples: Sample[], c: CaseSpec, m: Metric, server: ServerId) {
  return median(_values(samples, c, server, m.read));
}

function _ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return "—";
  return `${(a / b).toFixed(2)}×`;
}

function _row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** Renders the full markdown report. */
export function renderReport(samples: Sample[], ctx: ReportContext): string {
  const ids = ctx.servers.map((s) => s.id);
  const has = (id: ServerId) => ids.includes(id);
  const out: string[] = [];
  out.push(`Run ${ctx.date}, ${ctx.elapsedSeconds.toFixed(0)} s in all. Machine: ${ctx.machine}.`);
  out.push(`Versions: ${ctx.versions.join("; ")}.`, "");
  out.push(`Command: \`${ctx.command}\` — every figure is the median of ${ctx.repeat} runs`);
  out.push(
    `(each run starts a fresh server process; echo runs: -T ${ctx.settings.duration} -w ${ctx.settings.warmup}).`,
  );
  if (ctx.pinned) out.push("Each server ran on CPU 0 and wsload on CPU 1 (`taskset`).");
  if (ctx.maxSteal !== undefined) {
    const redone = samples.filter((s) => (s.redone ?? 0) > 0).length;
    out.push(
      `A run during which the hypervisor took more than ${ctx.maxSteal}% of the CPUs (steal) was run ` +
        `again: ${redone} of ${samples.length} runs were.`,
    );
  }
  for (const { spec, reason } of ctx.skipped) out.push(`Skipped ${spec.label}: ${reason}.`);
  out.push(
    "",
    "Ratios are aero streams ÷ the other server (for latency and memory, lower is better).",
  );
  out.push("");
  const heads = ["case", ...ctx.servers.map((s) => s.label)];
  if (has("streams") && has("deno")) heads.push("streams ÷ Deno native");
  if (has("streams") && has("bun")) heads.push("streams ÷ Bun");
  if (has("native") && has("deno")) heads.push("native ÷ Deno native");
  if (has("streams") && has("floor")) heads.push("streams ÷ Deno floor");
  heads.push("generator CPU % (max)");
  out.push(_row(heads), _row(heads.map(() => "---")));
  for (const c of CASES) {
    if (!samples.some((s) => s.caseId === c.id)) continue;
    for (const m of c.metrics) {
      const f = (id: ServerId) => figure(samples, c, m, id);
      const cells = [`${m.name} (${m.unit})`];
      for (const s of ctx.servers) {
        const v = f(s.id);
        cells.push(v === undefined ? "—" : m.format(v));
      }
      if (has("streams") && has("deno")) cells.push(_ratio(f("streams"), f("deno")));
      if (has("streams") && has("bun")) cells.push(_ratio(f("streams"), f("bun")));
      if (has("native") && has("deno")) cells.push(_ratio(f("native"), f("deno")));
      if (has("streams") && has("floor")) cells.push(_ratio(f("streams"), f("floor")));
      const gen = samples.filter((s) => s.caseId === c.id).map((s) => s.report?.gen_cpu_pct ?? 0);
      cells.push(c.id === "idle" ? "—" : Math.max(...gen).toFixed(0));
      out.push(_row(cells));
    }
  }
  out.push("", ...renderGoals(samples, ctx), "", ...renderDetails(samples, ctx));
  return out.join("\n") + "\n";
}

/** The goals of the streams engine, each with its measured ratio. */
export function renderGoals(samples: Sample[], ctx: ReportContext): string[] {
  const byId = (id: CaseSpec["id"]) => CASES.find((c) => c.id === id)!;
  const throughput = byId("throughput");
  const latency = byId("latency");
  const idle = byId("idle");
  const memory = idle.metrics.find((m) => m.name === "memory per idle connection")!;
  const get = (c: CaseSpec, m: Metric, id: ServerId) =>
    ctx.servers.some((s) => s.id === id) ? figure(samples, c, m, id) : undefined;
  const goals: [string, CaseSpec, Metric, ServerId, (r: number) => boolean][] = [
    [
      "small-message throughput ≥ 5× Deno native",
      throughput,
      throughput.metrics[0]!,
      "deno",
      (r) => r >= 5,
    ],
    [
      "small-message throughput ≥ 0.8× Bun",
      throughput,
      throughput.metrics[0]!,
      "bun",
      (r) => r >= 0.8,
    ],
    ["p99 latency ≤ Deno native", latency, latency.metrics[1]!, "deno", (r) => r <= 1],
    ["memory per idle connection ≤ Deno native", idle, memory, "deno", (r) => r <= 1],
    ["memory per idle connection ≤ ws (stretch)", idle, memory, "ws", (r) => r <= 1],
  ];
  const out = ["Goals for the streams engine:", ""];
  for (const [name, c, m, reference, ok] of goals) {
    const ours = get(c, m, "streams");
    const theirs = get(c, m, reference);
    if (ours === undefined || theirs === undefined || theirs === 0) {
      out.push(`- ${name}: not measured`);
      continue;
    }
    const r = ours / theirs;
    const paired = pairedRatios(samples, c, m, reference);
    const spread = paired.length < 2
      ? ""
      : ` (run by run: ${Math.min(...paired).toFixed(2)}–${
        Math.max(...paired).toFixed(2)
      }×, met in ${paired.filter(ok).length} of ${paired.length})`;
    out.push(`- ${name}: ${r.toFixed(2)}× — ${ok(r) ? "met" : "missed"}${spread}`);
  }
  return out;
}

/**
 * The streams engine's figure ÷ `reference`'s, for each repetition that measured both: runs of
 * one repetition are adjacent in time, so the spread of these shows how far one run can be
 * trusted.
 */
export function pairedRatios(
  samples: Sample[],
  c: CaseSpec,
  m: Metric,
  reference: ServerId,
): number[] {
  const at = (server: ServerId, rep: number) => {
    const s = samples.find((x) => x.caseId === c.id && x.server === server && x.rep === rep);
    const v = s?.report === undefined ? undefined : m.read(s.report);
    return v !== undefined && Number.isFinite(v) ? v : undefined;
  };
  const ratios: number[] = [];
  for (const rep of new Set(samples.map((s) => s.rep))) {
    const ours = at("streams", rep);
    const theirs = at(reference, rep);
    if (ours !== undefined && theirs !== undefined && theirs !== 0) ratios.push(ours / theirs);
  }
  return ratios;
}

/** Per-case tables: spread, CPU, load and syscalls. */
export function renderDetails(samples: Sample[], ctx: ReportContext): string[] {
  const out: string[] = [];
  for (const c of CASES) {
    const mine = samples.filter((s) => s.caseId === c.id);
    if (mine.length === 0) continue;
    const m = c.metrics[c.metrics.length - 1]!;
    out.push(`### ${c.title}`, "");
    out.push(
      "`wsload " + c.args(0, 0, ctx.settings).join(" ").replace(":0/", ":PORT/")
        .replace("--server-pid 0", "--server-pid PID") +
        "`",
      "",
    );
    const heads = [
      "server",
      `${m.name} (${m.unit}), runs`,
      "server CPU %",
      "generator CPU %",
      "other load %",
      "steal %",
      "generator reads / 1k msgs",
      "notes",
    ];
    out.push(_row(heads), _row(heads.map(() => "---")));
    for (const spec of ctx.servers) {
      const runs = mine.filter((s) => s.server === spec.id);
      if (runs.length === 0) continue;
      const pick = (f: (r: WsloadReport) => number | undefined) =>
        median(runs.flatMap((s) => s.report && f(s.report) !== undefined ? [f(s.report)!] : []));
      const fmt = (v: number | undefined, d = 0) => v === undefined ? "—" : v.toFixed(d);
      const values = _values(samples, c, spec.id, m.read).map(m.format).join(", ");
      const perK = pick((r) =>
        r.syscalls && r.msgs_per_sec
          ? (r.syscalls.recv / (r.msgs_per_sec * ctx.settings.duration)) * 1000
          : undefined
      );
      const notes = runs.flatMap((s) => [...s.problems, ...(s.error ? [s.error] : [])]);
      out.push(_row([
        spec.label,
        values || "—",
        fmt(pick((r) => r.server_cpu_pct)),
        c.id === "idle" ? "—" : fmt(pick((r) => r.gen_cpu_pct)),
        fmt(pick((r) => r.host_cpu_pct?.others)),
        fmt(pick((r) => r.host_cpu_pct?.steal)),
        c.id === "idle" ? "—" : fmt(perK, 0),
        notes.join("; ").replaceAll("|", "/").replaceAll("\n", " ").slice(0, 200),
      ]));
    }
    out.push("");
  }
  out.push(
    "Server CPU is the server process's utime+stime over the measured window (100 = one core);",
    "generator CPU is wsload's own; other load is the rest of the machine (of 200 on 2 cores);",
    "steal is the time the hypervisor gave this machine's CPUs to others (of 200), which no process",
    "here sees as its own: a run with much of it measured a slower machine.",
    "Generator reads / 1k msgs: wsload's recv calls per 1,000 echoes, a proxy for how many echoes",
    "the server coalesced into each write.",
  );
  return out;
}
