/**
 * The benchmark cases: which `wsload` command each runs and which figures it reads.
 *
 * @module
 */
import type { WsloadReport } from "./_wsload.ts";

/** Identifiers of the cases. */
export type CaseId = "throughput" | "latency" | "bulk" | "bulk-text" | "idle";

/** One figure a case yields. */
export interface Metric {
  /** Row label in the report. */
  name: string;
  unit: string;
  better: "higher" | "lower";
  /** Reads the figure from a report; `undefined` when it is missing. */
  read(report: WsloadReport): number | undefined;
  /** Formats a figure for a table. */
  format(value: number): string;
}

/** Durations and sizes shared by the cases. */
export interface CaseSettings {
  /** Measured seconds per echo run. */
  duration: number;
  /** Warm-up seconds per echo run. */
  warmup: number;
  /** Connections in the idle case. */
  idleConnections: number;
  /** Seconds the idle connections are held. */
  hold: number;
}

/** A benchmark case. */
export interface CaseSpec {
  id: CaseId;
  title: string;
  /** `wsload` arguments for a server on `port` with process id `pid`. */
  args(port: number, pid: number, settings: CaseSettings): string[];
  metrics: Metric[];
}

const _int = (v: number) => Math.round(v).toLocaleString("en-US");
const _fixed = (digits: number) => (v: number) => v.toFixed(digits);

function _echo(conns: number, depth: number, size: number, binary: boolean) {
  return (port: number, pid: number, s: CaseSettings): string[] => [
    "echo",
    "-u",
    `ws://127.0.0.1:${port}/`,
    "-c",
    String(conns),
    "-d",
    String(depth),
    "-s",
    String(size),
    "-T",
    String(s.duration),
    "-w",
    String(s.warmup),
    ...(binary ? ["--binary"] : []),
    "--server-pid",
    String(pid),
    "-q",
  ];
}

function _megabytesPerSecond(name: string): Metric {
  return {
    name,
    unit: "MB/s",
    better: "higher",
    read: (r) => r.mbytes_per_sec,
    format: _fixed(0),
  };
}

// With 16 connections of large messages, throughput scatters with TCP's timing from run to run
// (the same server at 55% or at 99% CPU); the server's CPU time per echoed message does not.
function _cpuPerMessage(name: string): Metric {
  return {
    name,
    unit: "µs",
    better: "lower",
    read: (r) =>
      r.server_cpu_s !== undefined && r.msgs ? (r.server_cpu_s * 1e6) / r.msgs : undefined,
    format: _fixed(1),
  };
}

/** The cases in report order. */
export const CASES: readonly CaseSpec[] = [
  {
    id: "throughput",
    title: "64 connections × 16 in flight × 32-byte text messages",
    args: _echo(64, 16, 32, false),
    metrics: [{
      name: "small messages",
      unit: "msgs/s",
      better: "higher",
      read: (r) => r.msgs_per_sec,
      format: _int,
    }],
  },
  {
    id: "latency",
    title: "1 connection × 1 in flight × 32-byte text messages",
    args: _echo(1, 1, 32, false),
    metrics: [
      {
        name: "latency p50",
        unit: "µs",
        better: "lower",
        read: (r) => r.lat_us?.p50,
        format: _fixed(1),
      },
      {
        name: "latency p99",
        unit: "µs",
        better: "lower",
        read: (r) => r.lat_us?.p99,
        format: _fixed(1),
      },
    ],
  },
  {
    id: "bulk",
    title: "16 connections × 1 in flight × 64 KiB binary messages",
    args: _echo(16, 1, 65536, true),
    metrics: [
      _megabytesPerSecond("64 KiB messages"),
      _cpuPerMessage("64 KiB: server CPU per message"),
    ],
  },
  {
    // Not among the cases: large text costs the server more than large binary (UTF-8
    // checked and decoded into a string, encoded back), which the binary case does not show.
    id: "bulk-text",
    title: "16 connections × 1 in flight × 64 KiB text messages",
    args: _echo(16, 1, 65536, false),
    metrics: [
      _megabytesPerSecond("64 KiB text messages"),
      _cpuPerMessage("64 KiB text: server CPU per message"),
    ],
  },
  {
    id: "idle",
    title: "idle connections, server RSS growth per connection",
    args: (port, pid, s) => [
      "connect",
      "-u",
      `ws://127.0.0.1:${port}/`,
      "-c",
      String(s.idleConnections),
      "--hold",
      String(s.hold),
      "--server-pid",
      String(pid),
      "-q",
    ],
    // The last metric is the one the per-case details show run by run.
    metrics: [{
      name: "server CPU per upgrade",
      unit: "µs",
      better: "lower",
      read: (r) =>
        r.server_cpu_connect_s !== undefined && r.ok
          ? (r.server_cpu_connect_s * 1e6) / r.ok
          : undefined,
      format: _fixed(0),
    }, {
      name: "memory per idle connection",
      unit: "bytes",
      better: "lower",
      read: (r) => r.bytes_per_conn,
      format: _int,
    }],
  },
];

/** Whether a report shows a complete, error-free run of `spec`. */
export function problemsOf(spec: CaseSpec, report: WsloadReport, s: CaseSettings): string[] {
  const problems: string[] = [];
  if ((report.errors ?? 0) > 0) problems.push(`${report.errors} errors`);
  if (spec.id === "idle") {
    if ((report.ok ?? 0) < s.idleConnections) {
      problems.push(`${report.ok ?? 0}/${s.idleConnections} connected`);
    }
    if ((report.failed ?? 0) > 0) problems.push(`${report.failed} failed`);
  }
  return problems;
}
