/**
 * An OpenTelemetry context, structurally the `Context` interface of `@opentelemetry/api`: a
 * real `Context` can be passed wherever this is asked for, and a value of this type can be
 * passed to the OpenTelemetry API (`trace.getSpanContext(ctx)`, `context.with(ctx, fn)`).
 *
 * @example A context from the OpenTelemetry API is a ContextLike
 * ```ts
 * import type { ContextLike } from "@aero/socket/observability";
 * import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const ctx: ContextLike = ROOT_CONTEXT;
 * assert.equal(trace.getSpanContext(ctx), undefined);
 * ```
 */
export interface ContextLike {
  /** The value stored under `key`, if any. */
  getValue(key: symbol): unknown;
  /** A new context that also maps `key` to `value`. */
  setValue(key: symbol, value: unknown): ContextLike;
  /** A new context without `key`. */
  deleteValue(key: symbol): ContextLike;
}

/** A span attribute value, as the OpenTelemetry API accepts it. */
export type SpanAttributeValueLike =
  | string
  | number
  | boolean
  | Array<string | null | undefined>
  | Array<number | null | undefined>
  | Array<boolean | null | undefined>;

/**
 * The members of an OpenTelemetry `Span` this library calls; every `Span` of
 * `@opentelemetry/api` has them.
 *
 * @example A span from the OpenTelemetry API is a SpanLike
 * ```ts
 * import type { SpanLike } from "@aero/socket/observability";
 * import { trace } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const span: SpanLike = trace.getTracer("example").startSpan("work");
 * span.setAttribute("items", 3).end();
 * assert.equal(typeof span.recordException, "function");
 * ```
 */
export interface SpanLike {
  /** Sets one attribute; returns the span. */
  setAttribute(key: string, value: SpanAttributeValueLike): this;
  /** Sets the status; `code` is an OpenTelemetry `SpanStatusCode` (`2` is `ERROR`). */
  setStatus(status: { code: number; message?: string }): this;
  /** Records an exception as a span event. */
  recordException(exception: Error): void;
  /** Ends the span. */
  end(): void;
}

/** The span options this library passes to {@linkcode TracerLike.startSpan}. */
export interface SpanOptionsLike {
  /** An OpenTelemetry `SpanKind` (`1` SERVER, `2` CLIENT, `3` PRODUCER, …). */
  kind?: number;
  /** The span's initial attributes. */
  attributes?: Record<string, SpanAttributeValueLike>;
}

/**
 * The member of an OpenTelemetry `Tracer` this library calls; every `Tracer` of
 * `@opentelemetry/api` has it. `S` is the span type it creates: for a real `Tracer`, the
 * OpenTelemetry `Span`, so that callbacks receive the full span.
 *
 * @typeParam S The span type the tracer creates.
 *
 * @example A tracer from the OpenTelemetry API is a TracerLike
 * ```ts
 * import type { TracerLike } from "@aero/socket/observability";
 * import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const tracer: TracerLike = trace.getTracer("example");
 * const span = tracer.startSpan("work", { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
 * span.end();
 * assert.equal(typeof span.setAttribute, "function");
 * ```
 */
export interface TracerLike<S extends SpanLike = SpanLike> {
  /** Starts a span (not made active) whose parent is the span of `context`, if any. */
  startSpan(name: string, options?: SpanOptionsLike, context?: ContextLike): S;
}
