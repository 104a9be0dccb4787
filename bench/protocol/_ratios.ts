/**
 * Turns the JSON of `deno bench -A --json bench/protocol/` (read from standard input) into the
 * markdown table of `docs/BENCHMARKS.md`: for each group, the `ws` baseline's average time
 * divided by the AeroSocket row's, so that a ratio above 1 means AeroSocket is faster. Both times
 * come from the same run.
 *
 * ```sh
 * deno bench -A --json bench/protocol/ > bench.json
 * deno run bench/protocol/_ratios.ts < bench.json
 * ```
 *
 * @module
 */

interface BenchResult {
  ok?: { avg: number };
}
interface Bench {
  origin: string;
  group?: string;
  name: string;
  baseline: boolean;
  results: BenchResult[];
}

const report = JSON.parse(await new Response(Deno.stdin.readable).text()) as {
  runtime: string;
  cpu: string;
  benches: Bench[];
};

const groups = new Map<string, { file: string; rows: Bench[] }>();
for (const bench of report.benches) {
  const group = bench.group ?? bench.name;
  const file = bench.origin.replace(/^.*\/bench\/protocol\//, "");
  const entry = groups.get(group) ?? { file, rows: [] };
  entry.rows.push(bench);
  groups.set(group, entry);
}

function avg(bench: Bench): number {
  const ok = bench.results[0]?.ok;
  if (ok === undefined) throw new Error(`Cannot read result: ${bench.name} failed`);
  return ok.avg;
}

function time(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

const lines = [
  "| file | group | AeroSocket | ws (baseline) | ws ÷ AeroSocket |",
  "| --- | --- | ---: | ---: | ---: |",
];
let slower = 0;
for (const [group, { file, rows }] of groups) {
  const base = rows.find((r) => r.baseline);
  // The first AeroSocket row of a group is its headline case; other rows are context.
  const aero = rows.find((r) => r.name.startsWith("AeroSocket"));
  if (base === undefined || aero === undefined) continue;
  const ratio = avg(base) / avg(aero);
  if (ratio < 1) slower++;
  const mark = ratio < 1 ? " (slower)" : "";
  lines.push(
    `| ${file.replace(/_bench\.ts$/, "")} | ${group} | ${time(avg(aero))} | ${time(avg(base))} | ` +
      `**${ratio.toFixed(2)}**${mark} |`,
  );
}
// Every other row, against the same baseline: variants and references shown for context.
const context = [
  "| group | row | time | ws (baseline) ÷ row |",
  "| --- | --- | ---: | ---: |",
];
for (const [group, { rows }] of groups) {
  const base = rows.find((r) => r.baseline);
  const headline = rows.find((r) => r.name.startsWith("AeroSocket"));
  if (base === undefined) continue;
  for (const row of rows) {
    if (row === base || row === headline) continue;
    context.push(
      `| ${group} | ${row.name} | ${time(avg(row))} | ${(avg(base) / avg(row)).toFixed(2)} |`,
    );
  }
}
console.log(`Runtime: ${report.runtime}; CPU: ${report.cpu}\n`);
console.log(lines.join("\n"));
console.log(`\n${groups.size} groups, ${slower} where AeroSocket is slower.\n`);
console.log(context.join("\n"));
