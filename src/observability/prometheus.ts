/** Label names and values of one sample. */
export type Labels = Readonly<Record<string, string>>;

/** One sample of a counter or gauge. */
export interface Sample {
  /** The sample's labels (may be empty). */
  labels: Labels;
  /** The value. */
  value: number;
}

/** One labelled series of a histogram. */
export interface HistogramSample {
  /** The series' labels (may be empty); `le` is added by the renderer. */
  labels: Labels;
  /** Upper bounds of the buckets, ascending, without `+Inf`. */
  bounds: readonly number[];
  /** Cumulative count of observations at or below each bound (same length as `bounds`). */
  buckets: readonly number[];
  /** Sum of every observation. */
  sum: number;
  /** Number of observations (the `+Inf` bucket). */
  count: number;
}

/** A counter or gauge family: one name, one type, one help text, many samples. */
export interface ScalarFamily {
  /** Metric name; counters end in `_total`. */
  name: string;
  /** One line of help text. */
  help: string;
  /** `counter` (only goes up) or `gauge`. */
  type: "counter" | "gauge";
  /** The samples. */
  samples: readonly Sample[];
}

/** A histogram family. */
export interface HistogramFamily {
  /** Metric name (without `_bucket`, `_sum`, `_count`). */
  name: string;
  /** One line of help text. */
  help: string;
  /** Discriminant. */
  type: "histogram";
  /** The series. */
  samples: readonly HistogramSample[];
}

/** A metric family as rendered by {@linkcode renderPrometheus}. */
export type MetricFamily = ScalarFamily | HistogramFamily;

/** The `Content-Type` of the Prometheus text exposition format, version 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const _NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const _LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Renders metric families in the Prometheus text exposition format (version 0.0.4): a `# HELP`
 * and a `# TYPE` line per family, then its samples; histograms as cumulative `_bucket` series
 * with `le` labels ending in `+Inf`, then `_sum` and `_count`.
 *
 * @throws {TypeError} for an invalid metric or label name, a counter whose name does not end in
 * `_total`, or a histogram whose buckets do not match its bounds.
 *
 * @example A counter with an escaped label value and a histogram
 * ```ts
 * import { renderPrometheus } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * const text = renderPrometheus([
 *   {
 *     name: "aero_demo_total",
 *     help: "Demo events.",
 *     type: "counter",
 *     samples: [{ labels: { reason: 'say "hi"' }, value: 2 }],
 *   },
 *   {
 *     name: "aero_demo_seconds",
 *     help: "Demo durations.",
 *     type: "histogram",
 *     samples: [{ labels: {}, bounds: [0.1, 1], buckets: [1, 2], sum: 0.55, count: 3 }],
 *   },
 * ]);
 * assert.equal(
 *   text,
 *   [
 *     "# HELP aero_demo_total Demo events.",
 *     "# TYPE aero_demo_total counter",
 *     'aero_demo_total{reason="say \\"hi\\""} 2',
 *     "# HELP aero_demo_seconds Demo durations.",
 *     "# TYPE aero_demo_seconds histogram",
 *     'aero_demo_seconds_bucket{le="0.1"} 1',
 *     'aero_demo_seconds_bucket{le="1"} 2',
 *     'aero_demo_seconds_bucket{le="+Inf"} 3',
 *     "aero_demo_seconds_sum 0.55",
 *     "aero_demo_seconds_count 3",
 *     "",
 *   ].join("\n"),
 * );
 * ```
 */
export function renderPrometheus(families: Iterable<MetricFamily>): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!_NAME.test(family.name)) {
      throw new TypeError(`Cannot render metric: invalid name "${family.name}"`);
    }
    if (family.type === "counter" && !family.name.endsWith("_total")) {
      throw new TypeError(`Cannot render counter ${family.name}: name must end in _total`);
    }
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type === "histogram") {
      for (const sample of family.samples) _renderHistogram(lines, family.name, sample);
    } else {
      for (const sample of family.samples) {
        lines.push(`${family.name}${_labels(sample.labels)} ${formatValue(sample.value)}`);
      }
    }
  }
  lines.push("");
  return lines.join("\n");
}

function _renderHistogram(lines: string[], name: string, sample: HistogramSample): void {
  if (sample.bounds.length !== sample.buckets.length) {
    throw new TypeError(`Cannot render histogram ${name}: buckets do not match bounds`);
  }
  for (let i = 0; i < sample.bounds.length; i++) {
    const le = formatValue(sample.bounds[i]!);
    lines.push(`${name}_bucket${_labels(sample.labels, le)} ${formatValue(sample.buckets[i]!)}`);
  }
  lines.push(`${name}_bucket${_labels(sample.labels, "+Inf")} ${formatValue(sample.count)}`);
  lines.push(`${name}_sum${_labels(sample.labels)} ${formatValue(sample.sum)}`);
  lines.push(`${name}_count${_labels(sample.labels)} ${formatValue(sample.count)}`);
}

function _labels(labels: Labels, le?: string): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!_LABEL.test(key) || key.startsWith("__") || key === "le") {
      throw new TypeError(`Cannot render metric: invalid label name "${key}"`);
    }
    parts.push(`${key}="${escapeLabelValue(value)}"`);
  }
  if (le !== undefined) parts.push(`le="${le}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/**
 * Escapes a label value for the text format: backslash, double quote and line feed.
 *
 * @example
 * ```ts
 * import { escapeLabelValue } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
 * ```
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/**
 * Escapes `# HELP` text: backslash and line feed.
 *
 * @example
 * ```ts
 * import { escapeHelp } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeHelp("two\nlines \\ one"), "two\\nlines \\\\ one");
 * ```
 */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/**
 * Formats a sample value: integers as they are, `+Inf`, `-Inf` and `NaN` as the format spells
 * them.
 *
 * @example
 * ```ts
 * import { formatValue } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([1, 0.25, Infinity, -Infinity, NaN].map(formatValue), ["1", "0.25", "+Inf", "-Inf", "NaN"]);
 * ```
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
