import assert from "node:assert/strict";
import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { serve } from "../../src/server/mod.ts";
import {
  extractTraceContext,
  injectTraceContext,
  ServerMetrics,
  tracePublish,
  traceRpc,
} from "../../src/observability/mod.ts";
import {
  closeEvent,
  ENGINES,
  openWebSocket,
  rawConnect,
  readToEnd,
  statusOf,
  upgradeHead,
  write,
} from "../server/_helpers.ts";
import { until } from "../_until.ts";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
);

const _TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const _PARENT_ID = "00f067aa0ba902b7";

for (const engine of ENGINES) {
  Deno.test(`handshakes produce server spans with HTTP attributes and the caller's parent (${engine} engine)`, async () => {
    exporter.reset();
    const server = serve({
      hostname: "127.0.0.1",
      port: 0,
      engine,
      metrics: new ServerMetrics(),
      onUpgrade: (request) =>
        new URL(request.url).pathname === "/deny" ? new Response("no", { status: 403 }) : undefined,
    }, () => {});
    try {
      const ws = await openWebSocket(`${server.url}chat?room=1`);
      ws.close();
      await closeEvent(ws);
      const raw = await rawConnect(server.addr.port);
      await write(raw, upgradeHead("/deny", [`traceparent: 00-${_TRACE_ID}-${_PARENT_ID}-01`]));
      // Deno.serve keeps the connection alive: read the answer's head only.
      const head = new Uint8Array(4096);
      const read = await raw.read(head);
      raw.close();
      assert.equal(statusOf(head.subarray(0, read ?? 0)), 403);
      await until(() => exporter.getFinishedSpans().length === 2);
      const [accepted, refused] = exporter.getFinishedSpans();
      for (const span of [accepted!, refused!]) {
        assert.equal(span.name, "WebSocket handshake");
        assert.equal(span.kind, SpanKind.SERVER);
        assert.equal(span.attributes["http.request.method"], "GET");
        assert.equal(span.attributes["client.address"], "127.0.0.1");
        assert.equal(span.attributes["aero.engine"], engine);
      }
      assert.equal(accepted!.attributes["url.path"], "/chat");
      assert.equal(accepted!.attributes["http.response.status_code"], 101);
      assert.equal(refused!.attributes["url.path"], "/deny");
      assert.equal(refused!.attributes["http.response.status_code"], 403);
      assert.equal(refused!.status.code, SpanStatusCode.UNSET, "4xx is not a server error");
      assert.equal(refused!.spanContext().traceId, _TRACE_ID);
      assert.equal(refused!.parentSpanContext?.spanId, _PARENT_ID);
    } finally {
      await server.shutdown({ timeout: 1_000 });
    }
  });
}

Deno.test("traceRpc continues the client's trace on the server through the envelope", async () => {
  exporter.reset();
  const request: { type: "request"; id: number; method: string; trace?: unknown } = {
    type: "request",
    id: 7,
    method: "room.join",
  };
  const wire = await traceRpc({ side: "client", method: "room.join", envelope: request }, () => {
    return JSON.stringify(request);
  });
  const received = JSON.parse(wire);
  await assert.rejects(
    traceRpc({ side: "server", method: "room.join", envelope: received }, () => {
      throw Object.assign(new Error("full"), { code: "forbidden" });
    }),
    /full/,
  );
  const [client, server] = exporter.getFinishedSpans();
  assert.equal(client!.kind, SpanKind.CLIENT);
  assert.equal(server!.kind, SpanKind.SERVER);
  assert.equal(server!.spanContext().traceId, client!.spanContext().traceId);
  assert.equal(server!.parentSpanContext?.spanId, client!.spanContext().spanId);
  assert.equal(server!.attributes["rpc.system"], "aero");
  assert.equal(server!.attributes["rpc.method"], "room.join");
  assert.equal(server!.attributes["error.type"], "forbidden");
  assert.equal(server!.status.code, SpanStatusCode.ERROR);
  assert.match(received.trace.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});

Deno.test("tracePublish continues an envelope's trace; injectTraceContext skips invalid spans", async () => {
  exporter.reset();
  const parent = { trace: { traceparent: `00-${_TRACE_ID}-${_PARENT_ID}-01`, tracestate: "a=1" } };
  await tracePublish({ topic: "news", envelope: parent }, () => {});
  const [span] = exporter.getFinishedSpans();
  assert.equal(span!.name, "publish news");
  assert.equal(span!.kind, SpanKind.PRODUCER);
  assert.equal(span!.spanContext().traceId, _TRACE_ID);
  assert.equal(span!.attributes["messaging.system"], "aero");
  assert.equal(span!.attributes["messaging.destination.name"], "news");
  const extracted = trace.getSpanContext(extractTraceContext(parent));
  assert.equal(extracted?.traceState?.get("a"), "1");
  const reinjected = injectTraceContext({}, extractTraceContext(parent));
  assert.deepEqual(reinjected.trace, parent.trace);
  assert.equal(injectTraceContext({}, context.active()).trace, undefined);
});

Deno.test("traceRpc and tracePublish hand fn the full OpenTelemetry span of the tracer given", async () => {
  exporter.reset();
  const tracer = trace.getTracer("test");
  await traceRpc({ side: "client", method: "ping", envelope: {}, tracer }, (span) => {
    // `span` is typed as the OpenTelemetry `Span`, so the whole API is available.
    span.addEvent("sent");
  });
  await tracePublish({ topic: "news" }, (span: Span) => {
    span.updateName("publish renamed");
  });
  const [rpc, publish] = exporter.getFinishedSpans();
  assert.equal(rpc!.events[0]?.name, "sent");
  assert.equal(publish!.name, "publish renamed");
});

Deno.test("refused handshakes are logged under the aero category once LogTape is configured", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { memory: (record) => records.push(record) },
    loggers: [
      { category: ["aero"], sinks: ["memory"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  const server = serve({ hostname: "127.0.0.1", port: 0, maxConnections: 0 }, () => {});
  try {
    const raw = await rawConnect(server.addr.port);
    await write(raw, upgradeHead());
    assert.equal(statusOf(await readToEnd(raw)), 503);
    const record = records.find((r) => r.category.join(".") === "aero.server.handshake");
    assert.equal(record?.level, "debug");
    assert.equal(record?.properties.status, 503);
  } finally {
    await server.shutdown({ timeout: 1_000 });
    await reset();
  }
});
