import {
  context as contextApi,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { extractTraceContext, injectTraceContext, type TraceCarrier } from "./trace_context.ts";
import type { SpanLike, TracerLike } from "./tracer_like.ts";
import { TRACER_NAME } from "./tracer_name.ts";

/**
 * Options for {@linkcode traceRpc}.
 *
 * @typeParam S The span type of `tracer`.
 */
export interface TraceRpcOptions<S extends SpanLike = SpanLike> {
  /**
   * `"client"`: the span is a child of the active context and its context is written into
   * `envelope.trace` before `fn` runs (so `fn` sends the envelope). `"server"`: the span's
   * parent is read from `envelope.trace`.
   */
  side: "client" | "server";
  /** The `aero.v1` method name (`rpc.method`). */
  method: string;
  /** The `request` envelope to inject into (client) or extract from (server). */
  envelope: { trace?: TraceCarrier | unknown };
  /**
   * The tracer, usually an OpenTelemetry `Tracer`; `fn` then receives its full `Span`.
   * @default {trace.getTracer("@aero/socket")}
   */
  tracer?: TracerLike<S>;
}

/**
 * Runs one RPC call in a span named after its method, following the OpenTelemetry RPC
 * conventions (`rpc.system` `"aero"`, `rpc.method`, kind CLIENT or SERVER), and propagates W3C
 * trace context inside the envelope, so a client's trace continues on the server. A thrown
 * error (or rejection) marks the span as failed with `error.type` (the error's `code`, else its
 * `name`) and is re-thrown. Without an OpenTelemetry SDK the span is a no-op.
 *
 * @example Client and server spans share one trace
 * ```ts
 * import { traceRpc } from "@aero/socket/observability";
 * import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
 * import assert from "node:assert/strict";
 *
 * const exporter = new InMemorySpanExporter();
 * const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
 *   .getTracer("test");
 * const request: { type: "request"; id: number; method: string; trace?: unknown } =
 *   { type: "request", id: 1, method: "sum" };
 * const result = await traceRpc({ side: "client", method: "sum", envelope: request, tracer }, () =>
 *   // The envelope now carries `trace`; the peer handles it:
 *   traceRpc({ side: "server", method: "sum", envelope: structuredClone(request), tracer }, () => 3));
 * assert.equal(result, 3);
 * const [server, client] = exporter.getFinishedSpans();
 * assert.equal(server!.spanContext().traceId, client!.spanContext().traceId);
 * assert.equal(server!.parentSpanContext?.spanId, client!.spanContext().spanId);
 * assert.equal(client!.attributes["rpc.method"], "sum");
 * ```
 */
export async function traceRpc<T, S extends SpanLike = SpanLike>(
  options: TraceRpcOptions<S>,
  fn: (span: S) => T | Promise<T>,
): Promise<T> {
  const tracer = options.tracer ?? _globalTracer<S>();
  const client = options.side === "client";
  const parent = client ? contextApi.active() : extractTraceContext(options.envelope);
  const span = tracer.startSpan(options.method, {
    kind: client ? SpanKind.CLIENT : SpanKind.SERVER,
    attributes: { "rpc.system": "aero", "rpc.method": options.method },
  }, parent);
  // The context only stores the span; a caller's own TracerLike answers for what it stores.
  const ctx = trace.setSpan(parent, span as SpanLike as Span);
  if (client) injectTraceContext(options.envelope, ctx);
  try {
    return await contextApi.with(ctx, () => fn(span));
  } catch (error) {
    _fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Options for {@linkcode tracePublish}.
 *
 * @typeParam S The span type of `tracer`.
 */
export interface TracePublishOptions<S extends SpanLike = SpanLike> {
  /** The topic (`messaging.destination.name`). */
  topic: string;
  /** A received `publish` envelope whose `trace` names the parent span. */
  envelope?: { trace?: unknown };
  /**
   * The tracer, usually an OpenTelemetry `Tracer`; `fn` then receives its full `Span`.
   * @default {trace.getTracer("@aero/socket")}
   */
  tracer?: TracerLike<S>;
}

/** The span attribute the router sets to the number of connections a publish reached. */
export const PUBLISH_FANOUT_ATTRIBUTE = "aero.publish.fanout";

/**
 * Runs one publish in a PRODUCER span named `publish <topic>` with the OpenTelemetry messaging
 * attributes (`messaging.system` `"aero"`, `messaging.operation.type` `"send"`,
 * `messaging.operation.name` `"publish"`, `messaging.destination.name`). The parent comes from
 * `envelope.trace` when given, else the active context; inside `fn`,
 * {@linkcode injectTraceContext} writes this span into outgoing envelopes. `fn` may set
 * {@linkcode PUBLISH_FANOUT_ATTRIBUTE}.
 *
 * @example
 * ```ts
 * import { PUBLISH_FANOUT_ATTRIBUTE, tracePublish } from "@aero/socket/observability";
 * import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
 * import assert from "node:assert/strict";
 *
 * const exporter = new InMemorySpanExporter();
 * const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
 *   .getTracer("test");
 * await tracePublish({ topic: "chat/lobby", tracer }, (span) => {
 *   span.setAttribute(PUBLISH_FANOUT_ATTRIBUTE, 12);
 * });
 * const [span] = exporter.getFinishedSpans();
 * assert.equal(span!.name, "publish chat/lobby");
 * assert.equal(span!.attributes["messaging.destination.name"], "chat/lobby");
 * assert.equal(span!.attributes[PUBLISH_FANOUT_ATTRIBUTE], 12);
 * ```
 */
export async function tracePublish<T, S extends SpanLike = SpanLike>(
  options: TracePublishOptions<S>,
  fn: (span: S) => T | Promise<T>,
): Promise<T> {
  const tracer = options.tracer ?? _globalTracer<S>();
  const parent = options.envelope === undefined
    ? contextApi.active()
    : extractTraceContext(options.envelope);
  const span = tracer.startSpan(`publish ${options.topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": "aero",
      "messaging.operation.type": "send",
      "messaging.operation.name": "publish",
      "messaging.destination.name": options.topic,
    },
  }, parent);
  try {
    return await contextApi.with(trace.setSpan(parent, span as SpanLike as Span), () => fn(span));
  } catch (error) {
    _fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The global tracer. Its spans are full OpenTelemetry spans, so they satisfy any `S` a caller
 * can name without a tracer (`SpanLike`, or `Span` by annotating `fn`).
 */
function _globalTracer<S extends SpanLike>(): TracerLike<S> {
  return trace.getTracer(TRACER_NAME) as TracerLike as TracerLike<S>;
}

function _fail(span: SpanLike, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  const type = typeof code === "string" ? code : error instanceof Error ? error.name : "_OTHER";
  span.setAttribute("error.type", type);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
}
