/**
 * Reads a V8 tick log (`--prof`) and prints where the main thread's ticks fell: per JavaScript
 * function, V8 builtin (the promise, string and call builtins a per-message path runs through,
 * which `perf` shows only as addresses in the `deno` binary) and shared library, and per VM state
 * (JavaScript, garbage collection, compiler, external code…). `node --prof-process` refuses the
 * logs of Deno 2.9.6's V8 (newer code states), hence this reader.
 *
 * ```sh
 * deno run -A --v8-flags=--prof,--logfile=/tmp/v8.log,--no-logfile-per-isolate server.ts
 * # …load it, stop it with SIGINT or SIGTERM…
 * deno run -R bench/tools/v8_ticks.ts /tmp/v8.log [--top 40]
 * ```
 *
 * Ticks in a shared library are mostly system calls (the time spent in the kernel is charged to
 * the instruction that entered it).
 *
 * @module
 */
import { parseArgs } from "node:util";

/** Ticks per name, and per VM state, of one log. */
export interface TickProfile {
  total: number;
  byName: Map<string, number>;
  byState: Map<string, number>;
}

interface _Code {
  start: number;
  size: number;
  name: string;
}

// V8's `StateTag` values, in order.
const _STATES = [
  "JavaScript",
  "garbage collection",
  "parser",
  "bytecode compiler",
  "compiler",
  "other",
  "external",
  "atomics wait",
  "idle",
  "logging",
];

// The tier marker V8 logs after a JavaScript function's name.
const _TIERS: Record<string, string> = {
  "~": "interpreted",
  "^": "baseline",
  "+": "Maglev",
  "*": "TurboFan",
};

/**
 * Splits one log line into its fields: commas separate them, and a field in double quotes may hold
 * commas (V8 writes `""` for a quote inside one).
 */
export function splitLogLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        const quote = line.indexOf('"', j);
        if (quote === -1) {
          value += line.slice(j);
          j = line.length;
          break;
        }
        value += line.slice(j, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          j = quote + 2;
        } else {
          j = quote + 1;
          break;
        }
      }
      fields.push(value);
      i = j + 1; // past the comma
    } else {
      const comma = line.indexOf(",", i);
      const end = comma === -1 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/**
 * Attributes every tick of `lines` (a V8 log, in order) to the code object, or shared library,
 * that held its program counter at that moment: code created, moved and deleted later in the log
 * does not count for earlier ticks.
 */
export function profileTicks(lines: Iterable<string>): TickProfile {
  const codes = new Map<number, _Code>();
  const libraries: _Code[] = [];
  let sorted: _Code[] = [];
  let dirty = false;
  const byName = new Map<string, number>();
  const byState = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  for (const line of lines) {
    const comma = line.indexOf(",");
    const kind = comma === -1 ? line : line.slice(0, comma);
    if (kind === "code-creation") {
      // code-creation,TYPE,KIND,TIME,START,SIZE,NAME[,SFI,TIER]
      const f = splitLogLine(line);
      const start = Number.parseInt(f[4]!, 16);
      const size = Number(f[5]);
      if (!Number.isFinite(start) || !Number.isFinite(size)) continue;
      // The marker's first character is the tier (a second one may follow it).
      const tier = f[8] !== undefined ? _TIERS[f[8].charAt(0)] : undefined;
      const name = `${f[1]}: ${f[6] ?? ""}${tier === undefined ? "" : ` (${tier})`}`;
      codes.set(start, { start, size, name });
      dirty = true;
    } else if (kind === "code-move") {
      const f = splitLogLine(line);
      const from = Number.parseInt(f[1]!, 16);
      const code = codes.get(from);
      if (code === undefined) continue;
      codes.delete(from);
      const to = Number.parseInt(f[2]!, 16);
      codes.set(to, { ...code, start: to });
      dirty = true;
    } else if (kind === "code-delete") {
      if (codes.delete(Number.parseInt(splitLogLine(line)[1]!, 16))) dirty = true;
    } else if (kind === "shared-library") {
      // shared-library,"PATH",START,END,SLIDE
      const f = splitLogLine(line);
      const start = Number.parseInt(f[2]!, 16);
      const end = Number.parseInt(f[3]!, 16);
      const path = f[1]!;
      libraries.push({ start, size: end - start, name: `library: ${path.split("/").pop()}` });
      libraries.sort((a, b) => a.start - b.start);
    } else if (kind === "tick") {
      // tick,PC,TIME,IS_EXTERNAL_CALLBACK,TOS,VM_STATE,STACK...
      const f = splitLogLine(line);
      const pc = Number.parseInt(f[1]!, 16);
      if (dirty) {
        sorted = [...codes.values()].sort((a, b) => a.start - b.start);
        dirty = false;
      }
      total++;
      add(byName, _lookup(sorted, pc) ?? _lookup(libraries, pc) ?? "unknown");
      add(byState, _STATES[Number(f[5])] ?? `state ${f[5]}`);
    }
  }
  return { total, byName, byState };
}

// The name of the code in `codes` (sorted by start) that holds `pc`, if any.
function _lookup(codes: _Code[], pc: number): string | undefined {
  let low = 0;
  let high = codes.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (codes[mid]!.start <= pc) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (found === -1) return undefined;
  const code = codes[found]!;
  return pc < code.start + code.size ? code.name : undefined;
}

function _table(title: string, counts: Map<string, number>, total: number, top: number): string {
  const rows = [...counts].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [`${title} (${total} ticks)`];
  for (const [name, count] of rows) {
    lines.push(`${(100 * count / total).toFixed(1).padStart(5)}%  ${name}`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { top: { type: "string", default: "40" } },
    allowPositionals: true,
  });
  const top = Number(values.top);
  if (positionals.length !== 1 || !Number.isInteger(top) || top < 1) {
    console.error("usage: deno run -R bench/tools/v8_ticks.ts LOG [--top N]");
    Deno.exit(2);
  }
  const profile = profileTicks(Deno.readTextFileSync(positionals[0]!).split("\n"));
  if (profile.total === 0) {
    console.error(`No ticks in ${positionals[0]}: was it written with --prof?`);
    Deno.exit(1);
  }
  console.log(_table("By VM state", profile.byState, profile.total, top));
  console.log();
  console.log(_table("By code", profile.byName, profile.total, top));
}
