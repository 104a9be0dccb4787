import type { HistogramSample, Labels, Sample } from "./prometheus.ts";

// Series per family, at most; beyond it new label sets are counted under "_other" so that a
// misbehaving label (an unbounded method name, say) cannot exhaust memory.
const _MAX_SERIES = 500;
const _OTHER = "_other";

/** @internal A counter family keyed by label values (off the per-message hot path). */
export class _LabeledCounter {
  readonly #names: readonly string[];
  readonly #series = new Map<string, { values: string[]; value: number }>();

  constructor(names: readonly string[]) {
    this.#names = names;
  }

  /** Adds `amount` to the series with these label values (in the order of the names). */
  add(values: string[], amount = 1): void {
    let key = values.join("\u0000");
    let series = this.#series.get(key);
    if (series === undefined) {
      if (this.#series.size >= _MAX_SERIES) {
        values = values.map(() => _OTHER);
        key = values.join("\u0000");
        series = this.#series.get(key);
      }
      if (series === undefined) this.#series.set(key, series = { values, value: 0 });
    }
    series.value += amount;
  }

  /** The current value of one series (0 when it does not exist). */
  get(values: string[]): number {
    return this.#series.get(values.join("\u0000"))?.value ?? 0;
  }

  /** The samples, plus a zero sample for each of `zeros` not seen yet. */
  samples(zeros: readonly string[][] = []): Sample[] {
    for (const values of zeros) {
      if (!this.#series.has(values.join("\u0000"))) this.add(values, 0);
    }
    return [...this.#series.values()].map(({ values, value }) => ({
      labels: this.#labels(values),
      value,
    }));
  }

  #labels(values: readonly string[]): Labels {
    const labels: Record<string, string> = {};
    this.#names.forEach((name, i) => (labels[name] = values[i] ?? ""));
    return labels;
  }
}

/** @internal A histogram family keyed by label values. */
export class _LabeledHistogram {
  readonly #bounds: readonly number[];
  readonly #series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  readonly #names: readonly string[];

  constructor(names: readonly string[], bounds: readonly number[]) {
    this.#names = names;
    this.#bounds = bounds;
  }

  /** Records one observation. */
  observe(values: string[], value: number): void {
    let key = values.join("\u0000");
    if (!this.#series.has(key) && this.#series.size >= _MAX_SERIES) {
      values = values.map(() => _OTHER);
      key = values.join("\u0000");
    }
    let series = this.#series.get(key);
    if (series === undefined) {
      const labels: Record<string, string> = {};
      this.#names.forEach((name, i) => (labels[name] = values[i] ?? ""));
      series = { labels, counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    series.sum += value;
    series.count++;
    for (let i = 0; i < this.#bounds.length; i++) {
      if (value <= this.#bounds[i]!) series.counts[i]!++;
    }
  }

  /** The series as histogram samples (cumulative buckets). */
  samples(): HistogramSample[] {
    return [...this.#series.values()].map((series) => ({
      labels: series.labels,
      bounds: this.#bounds,
      buckets: series.counts.slice(),
      sum: series.sum,
      count: series.count,
    }));
  }
}
