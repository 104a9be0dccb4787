import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { getLogger } from "@logtape/logtape";
import type { ServerMetricsRecorder } from "./server_metrics_recorder.ts";
import { extractTraceContext } from "./trace_context.ts";
import { TRACER_NAME } from "./tracer_name.ts";

const _logger = getLogger(["aero", "server", "handshake"]);

/**
 * @internal Starts observing an opening handshake: a server span (a no-op unless an
 * OpenTelemetry SDK is installed) whose parent is the request's `traceparent` header, if any.
 * The returned function ends it with the status answered (101 on success, 0 when the
 * connection was lost before an answer) and counts refusals.
 */
export function _observeHandshake(
  metrics: ServerMetricsRecorder | undefined,
  engine: "streams" | "native",
  method: string,
  target: string,
  headers: Headers,
  remote: Deno.NetAddr | undefined,
): (status: number) => void {
  const traceparent = headers.get("traceparent");
  const parent = traceparent === null ? undefined : extractTraceContext({
    trace: { traceparent, tracestate: headers.get("tracestate") ?? undefined },
  });
  const path = _path(target);
  const span = trace.getTracer(TRACER_NAME).startSpan("WebSocket handshake", {
    kind: SpanKind.SERVER,
    attributes: {
      "http.request.method": method,
      "url.path": path,
      "network.protocol.name": "http",
      "network.protocol.version": "1.1",
      "user_agent.original": headers.get("user-agent") ?? "",
      "client.address": remote?.hostname ?? "",
      "client.port": remote?.port ?? 0,
      "aero.engine": engine,
    },
  }, parent);
  let done = false;
  return (status) => {
    if (done) return;
    done = true;
    if (status > 0) span.setAttribute("http.response.status_code", status);
    if (status !== 101) {
      metrics?.recordHandshakeRejected(engine, status);
      _logger.debug("Refused WebSocket handshake for {path} with {status}", {
        path,
        status,
        engine,
      });
    }
    // Server spans: only 5xx (or no answer at all) is an error (OpenTelemetry HTTP conventions).
    if (status === 0 || status >= 500) {
      span.setAttribute("error.type", status === 0 ? "connection_lost" : String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
}

function _path(target: string): string {
  if (target.startsWith("/")) {
    const query = target.indexOf("?");
    return query === -1 ? target : target.slice(0, query);
  }
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}
