import {
  context as contextApi,
  createTraceState,
  isSpanContextValid,
  trace,
} from "@opentelemetry/api";
import type { ContextLike } from "./tracer_like.ts";

/**
 * W3C trace context as carried inside an `aero.v1` envelope, in its `trace` field: the
 * `traceparent` and `tracestate` header values of the W3C Trace Context specification.
 */
export interface TraceCarrier {
  /** `version-traceid-parentid-flags`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  traceparent: string;
  /** Vendor-specific trace state, when there is any. */
  tracestate?: string;
}

/**
 * Vendor-specific trace state, structurally the `TraceState` interface of
 * `@opentelemetry/api` (what `createTraceState()` returns), so either can stand for the other.
 *
 * @example
 * ```ts
 * import type { TraceStateLike } from "@aero/socket/observability";
 * import { createTraceState } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const state: TraceStateLike = createTraceState("vendor=abc");
 * assert.equal(state.set("other", "1").serialize(), "other=1,vendor=abc");
 * ```
 */
export interface TraceStateLike {
  /** A new trace state with `key` set to `value` (moved to the front). */
  set(key: string, value: string): TraceStateLike;
  /** A new trace state without `key`. */
  unset(key: string): TraceStateLike;
  /** The value of `key`, if any. */
  get(key: string): string | undefined;
  /** The `tracestate` header value. */
  serialize(): string;
}

/**
 * The fields of a span context that a `traceparent` (and `tracestate`) carries; structurally
 * the `SpanContext` interface of `@opentelemetry/api`, so a real span context can be passed in
 * and a parsed one passed to `trace.setSpanContext()`.
 *
 * @example An OpenTelemetry span context has these fields
 * ```ts
 * import { formatTraceparent, type TraceparentFields } from "@aero/socket/observability";
 * import { INVALID_SPAN_CONTEXT } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const fields: TraceparentFields = INVALID_SPAN_CONTEXT;
 * assert.equal(formatTraceparent(fields), `00-${"0".repeat(32)}-${"0".repeat(16)}-00`);
 * ```
 */
export interface TraceparentFields {
  /** The trace id: 32 lowercase hex digits. */
  traceId: string;
  /** The parent span id: 16 lowercase hex digits. */
  spanId: string;
  /** Trace flags; bit 0 is `sampled`. */
  traceFlags: number;
  /** Whether the span context came from a peer; `true` for parsed ones. */
  isRemote?: boolean;
  /** Vendor-specific trace state. */
  traceState?: TraceStateLike;
}

const _TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const _ZERO_TRACE = "0".repeat(32);
const _ZERO_SPAN = "0".repeat(16);

/**
 * Formats a span context as a W3C `traceparent` value (version `00`).
 *
 * @example
 * ```ts
 * import { formatTraceparent } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
 * const spanId = "00f067aa0ba902b7";
 * assert.equal(formatTraceparent({ traceId, spanId, traceFlags: 1 }), `00-${traceId}-${spanId}-01`);
 * ```
 */
export function formatTraceparent(spanContext: TraceparentFields): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/**
 * Parses a W3C `traceparent` value (and optional `tracestate`) into a remote span context;
 * `undefined` when it is malformed (W3C Trace Context §3.2: then it is ignored).
 *
 * @example
 * ```ts
 * import { parseTraceparent } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
 * assert.equal(parsed?.spanId, "00f067aa0ba902b7");
 * assert.equal(parsed?.isRemote, true);
 * assert.equal(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), undefined);
 * ```
 */
export function parseTraceparent(
  traceparent: string,
  tracestate?: string,
): TraceparentFields | undefined {
  const match = _TRACEPARENT.exec(traceparent.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version ff is invalid; version 00 has nothing after the flags.
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === _ZERO_TRACE || spanId === _ZERO_SPAN) return undefined;
  const spanContext: TraceparentFields = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: parseInt(flags!, 16) & 0x01,
    isRemote: true,
  };
  if (tracestate !== undefined && tracestate !== "") {
    spanContext.traceState = createTraceState(tracestate);
  }
  return spanContext;
}

/**
 * Writes the span of `ctx` (default: the active context) into `envelope.trace`, so that the
 * peer's span continues this trace. Leaves the envelope alone when there is no valid span.
 * Returns the envelope.
 *
 * @example Inject and extract round trip
 * ```ts
 * import { extractTraceContext, injectTraceContext } from "@aero/socket/observability";
 * import { context, trace } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const spanContext = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };
 * const ctx = trace.setSpanContext(context.active(), spanContext);
 * const envelope = injectTraceContext({ type: "request", id: 1, method: "sum" }, ctx);
 * assert.deepEqual(envelope.trace, { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
 * const extracted = trace.getSpanContext(extractTraceContext(envelope));
 * assert.equal(extracted?.traceId, spanContext.traceId);
 * assert.equal(extracted?.isRemote, true);
 * ```
 */
export function injectTraceContext<T extends object>(
  envelope: T,
  ctx: ContextLike = contextApi.active(),
): T & { trace?: TraceCarrier } {
  const target = envelope as T & { trace?: TraceCarrier };
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return target;
  const carrier: TraceCarrier = { traceparent: formatTraceparent(spanContext) };
  const state = spanContext.traceState?.serialize();
  if (state !== undefined && state !== "") carrier.tracestate = state;
  target.trace = carrier;
  return target;
}

/**
 * Reads `envelope.trace` and returns `ctx` (default: the active context) with the remote span
 * it names as parent; `ctx` unchanged when the field is missing or malformed.
 *
 * @example A malformed field is ignored
 * ```ts
 * import { extractTraceContext } from "@aero/socket/observability";
 * import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
 * import assert from "node:assert/strict";
 *
 * const ctx = extractTraceContext({ trace: { traceparent: "junk" } }, ROOT_CONTEXT);
 * assert.equal(trace.getSpanContext(ctx), undefined);
 * assert.equal(extractTraceContext({}, ROOT_CONTEXT), ROOT_CONTEXT);
 * void context;
 * ```
 */
export function extractTraceContext(
  envelope: { trace?: unknown },
  ctx: ContextLike = contextApi.active(),
): ContextLike {
  const carrier = envelope.trace;
  if (typeof carrier !== "object" || carrier === null) return ctx;
  const { traceparent, tracestate } = carrier as Record<string, unknown>;
  if (typeof traceparent !== "string") return ctx;
  const spanContext = parseTraceparent(
    traceparent,
    typeof tracestate === "string" ? tracestate : undefined,
  );
  return spanContext === undefined ? ctx : trace.setSpanContext(ctx, spanContext);
}
