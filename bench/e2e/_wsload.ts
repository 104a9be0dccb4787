/**
 * Finds (or builds) the `wsload` load generator and runs it, returning its JSON report.
 *
 * `wsload` lives beside the repository in `../shared/tools/wsload`; set `WSLOAD` to use another
 * binary.
 *
 * @module
 */

/** Latency percentiles in microseconds, as `wsload` reports them. */
export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  n: number;
}

/** The fields of a `wsload` report this harness reads. */
export interface WsloadReport {
  mode: string;
  connected?: number;
  /** Echo mode: messages echoed in the measured window. */
  msgs?: number;
  msgs_per_sec?: number;
  mbytes_per_sec?: number;
  lat_us?: Latency;
  errors?: number;
  gen_cpu_pct?: number;
  server_cpu_pct?: number;
  /** The server's CPU seconds in the measured window. */
  server_cpu_s?: number;
  host_cpu_pct?: { busy: number; softirq: number; steal: number; of: number; others?: number };
  syscalls?: { recv: number; send: number; epoll_wait: number };
  ok?: number;
  failed?: number;
  rss_before_kb?: number;
  rss_hold_kb?: number;
  bytes_per_conn?: number;
  /** Connect mode: the server's CPU seconds while the connections were being opened. */
  server_cpu_connect_s?: number;
  [key: string]: unknown;
}

/** The result of one `wsload` run. */
export interface WsloadRun {
  /** The command line, for the report. */
  args: string[];
  report: WsloadReport;
  /** The generator's diagnostics (first errors, close codes). */
  stderr: string;
}

const _repoRoot = new URL("../../", import.meta.url);

/** The directory `wsload` is built in. */
export const WSLOAD_DIR: string = new URL("../shared/tools/wsload/", _repoRoot).pathname;

/** Returns the path of a working `wsload` binary, building it with `make` when it is missing. */
export async function ensureWsload(): Promise<string> {
  const fromEnv = Deno.env.get("WSLOAD");
  if (fromEnv) return fromEnv;
  const binary = `${WSLOAD_DIR}wsload`;
  if (!(await _exists(binary))) {
    if (!(await _exists(`${WSLOAD_DIR}Makefile`))) {
      throw new Error(`Cannot find wsload: neither ${binary} nor its sources exist`);
    }
    console.error(`building wsload in ${WSLOAD_DIR}`);
    const make = await new Deno.Command("make", { cwd: WSLOAD_DIR, stdout: "inherit" }).output();
    if (!make.success) throw new Error(`Cannot build wsload: make failed (${make.code})`);
  }
  return binary;
}

/**
 * Runs `wsload` with `args` under the hard open-file limit (the idle case opens 10,000 sockets)
 * and parses the JSON line it prints.
 */
export async function runWsload(
  binary: string,
  args: string[],
  cpus?: string,
): Promise<WsloadRun> {
  const output = await new Deno.Command("bash", {
    args: [
      "-c",
      'ulimit -n "$(ulimit -Hn)" && exec "$@"',
      "bash",
      ...pinned(cpus, [binary, ...args]),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  const line = stdout.trim().split("\n").findLast((l) => l.startsWith("{"));
  if (line === undefined) {
    throw new Error(
      `Cannot read wsload report: exit ${output.code}\n${stdout.slice(-2000)}${
        stderr.slice(-2000)
      }`,
    );
  }
  return { args, report: JSON.parse(line) as WsloadReport, stderr };
}

/** `command` run by `taskset` on `cpus` (a CPU list), or `command` itself without `cpus`. */
export function pinned(cpus: string | undefined, command: string[]): string[] {
  return cpus === undefined ? command : ["taskset", "-c", cpus, ...command];
}

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
