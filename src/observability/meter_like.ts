/**
 * An observable instrument a {@linkcode MeterLike} created. This library only hands it back to
 * the meter, so it is opaque here; for a real `Meter` it is an OpenTelemetry `Observable`.
 */
export type ObservableLike = object;

/** The instrument options this library passes to a {@linkcode MeterLike}. */
export interface MetricOptionsLike {
  /** What the instrument measures. */
  description?: string;
  /** The unit, in UCUM notation (`By`, `s`, `1`). */
  unit?: string;
}

/** What a batch observable callback reports observations to (OpenTelemetry `BatchObservableResult`). */
export interface BatchObservableResultLike {
  /** Reports `value` for `observable`, with optional attributes. */
  observe(
    observable: ObservableLike,
    value: number,
    attributes?: Readonly<Record<string, string>>,
  ): void;
}

/**
 * The members of an OpenTelemetry `Meter` this library calls; every `Meter` of
 * `@opentelemetry/api` has them.
 *
 * @example A meter from the OpenTelemetry API is a MeterLike
 * ```ts
 * import type { BatchObservableResultLike, MeterLike } from "@aero/socket/observability";
 * import { metrics } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const meter: MeterLike = metrics.getMeter("example");
 * const open = meter.createObservableGauge("example.open", { unit: "1" });
 * const callback = (result: BatchObservableResultLike) => result.observe(open, 1);
 * meter.addBatchObservableCallback(callback, [open]);
 * meter.removeBatchObservableCallback(callback, [open]);
 * assert.equal(typeof open, "object");
 * ```
 */
export interface MeterLike {
  /** Creates a monotonic observable counter. */
  createObservableCounter(name: string, options?: MetricOptionsLike): ObservableLike;
  /** Creates an observable gauge. */
  createObservableGauge(name: string, options?: MetricOptionsLike): ObservableLike;
  /** Registers one callback that observes all of `observables` at each collection. */
  addBatchObservableCallback(
    callback: (result: BatchObservableResultLike) => void,
    observables: ObservableLike[],
  ): void;
  /** Unregisters a callback registered with the same `observables`. */
  removeBatchObservableCallback(
    callback: (result: BatchObservableResultLike) => void,
    observables: ObservableLike[],
  ): void;
}
