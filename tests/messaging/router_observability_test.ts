import assert from "node:assert/strict";
import { SpanKind } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { connect as connectClient } from "../../src/client/mod.ts";
import type { Connection } from "../../src/connection/connection.ts";
import { AERO_PROTOCOLS, createRouter, RpcError } from "../../src/messaging/mod.ts";
import { serveOps, ServerMetrics } from "../../src/observability/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { sample, scrape } from "../observability/_scrape.ts";
import { AeroTestClient, connect } from "./_aero_client.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

Deno.test("Router records RPC, publish fan-out and recoveries in ServerMetrics, scraped from /metrics", async () => {
  const metrics = new ServerMetrics();
  await using router = createRouter({ metrics });
  router.method("add", ({ data }) => (data as number[]).reduce((a, b) => a + b, 0));
  router.method("fail", () => {
    throw new RpcError("invalid_params", "Cannot add: not numbers");
  });
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    protocols: AERO_PROTOCOLS,
    metrics,
    keepalive: { pingInterval: 0, idleTimeout: 0 },
  }, (conn) => router.handle(conn));
  await using ops = serveOps({ port: 0, metrics });
  // Every byte and message the clients receive, to compare with the server's outbound totals.
  let received = 0;
  let receivedBytes = 0;
  const open = async () => {
    const conn = await connectClient(`ws://127.0.0.1:${server.addr.port}`, {
      protocols: ["aero.v1.json"],
    });
    const client = new AeroTestClient(conn as Connection, "aero.v1.json");
    const decode = client.decode.bind(client);
    client.decode = (message) => {
      received++;
      receivedBytes += new TextEncoder().encode(message.data as string).length;
      return decode(message);
    };
    client.send({ type: "connect" });
    await client.next();
    return client;
  };
  const a = await open();
  const b = await open();
  assert.equal((await a.call({ type: "request", method: "add", data: [1, 2] })).data, 3);
  assert.equal((await a.call({ type: "request", method: "add", data: [3] })).data, 3);
  assert.equal(
    (await a.call({ type: "request", method: "fail" })).error.code,
    "invalid_params",
  );
  assert.equal(
    (await a.call({ type: "request", method: "missing" })).error.code,
    "method_not_found",
  );
  await a.call({ type: "subscribe", topic: "news.eu" });
  const subscribed = await b.call({ type: "subscribe", topic: "news.>" });
  assert.equal(subscribed.type, "subscribed");
  let last: Record<string, unknown> = {};
  for (const n of [1, 2, 3]) {
    last = await a.call({ type: "publish", topic: "news.eu", data: n, ack: true });
  }
  await b.until((e) => e.type === "message" && e.offset === 3);
  // Nobody subscribes to this one: the broker does not hand it to the router.
  await a.call({ type: "publish", topic: "weather.eu", data: 0, ack: true });
  const c = await open();
  const complete = await c.call({
    type: "subscribe",
    topic: "news.eu",
    since: { epoch: last.epoch, offset: 1 },
  });
  assert.equal(complete.recovered, true);
  await c.until((e) => e.type === "message" && e.offset === 3);
  const incomplete = await c.call({
    type: "subscribe",
    topic: "other",
    since: { epoch: "e_gone", offset: 5 },
  });
  assert.equal(incomplete.recovered, false);

  const text = await scrape(`http://127.0.0.1:${ops.addr.port}/metrics`);
  const expected: Record<string, number> = {
    'aero_rpc_calls_total{method="add"}': 2,
    'aero_rpc_calls_total{method="fail"}': 1,
    'aero_rpc_calls_total{method="_OTHER"}': 1,
    'aero_rpc_errors_total{method="fail",code="invalid_params"}': 1,
    'aero_rpc_errors_total{method="_OTHER",code="method_not_found"}': 1,
    'aero_rpc_duration_seconds_count{method="add"}': 2,
    'aero_rpc_duration_seconds_bucket{method="add",le="+Inf"}': 2,
    "aero_publishes_total": 3,
    "aero_publish_deliveries_total": 6,
    'aero_publish_fanout_bucket{le="1"}': 0,
    'aero_publish_fanout_bucket{le="5"}': 3,
    "aero_publish_fanout_count": 3,
    "aero_publish_fanout_sum": 6,
    'aero_history_recoveries_total{result="complete"}': 1,
    'aero_history_recoveries_total{result="incomplete"}': 1,
  };
  for (const [series, value] of Object.entries(expected)) {
    assert.equal(sample(text, series), value, series);
  }
  assert.equal(sample(text, 'aero_rpc_errors_total{method="add",code="internal"}'), undefined);
  // Deliveries go out through shared frames (sendEncodedFrame); they are counted all the same.
  assert.equal(sample(text, 'aero_messages_total{direction="out",type="text"}'), received);
  assert.equal(
    sample(text, 'aero_message_bytes_total{direction="out",type="text"}'),
    receivedBytes,
  );
  for (const client of [a, b, c]) await client.close();
  await server.shutdown();
});

Deno.test("Router continues the client's trace in a SERVER span for each request", async () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
    .getTracer("test");
  await using router = createRouter({ tracing: tracer });
  router.method("add", ({ data }) => (data as number[]).reduce((x, y) => x + y, 0));
  router.method("fail", () => {
    throw new RpcError("invalid_params", "Cannot add: not numbers");
  });
  const { client } = await connect(router);
  const answer = await client.call({
    type: "request",
    method: "add",
    data: [2, 2],
    trace: { traceparent: TRACEPARENT, tracestate: "vendor=1" },
  });
  assert.equal(answer.data, 4);
  await client.call({ type: "request", method: "fail", trace: { traceparent: TRACEPARENT } });
  // A malformed trace field is ignored: a new root span, and the request still succeeds.
  const junk = await client.call({
    type: "request",
    method: "add",
    data: [1],
    trace: { traceparent: "junk" },
  });
  assert.equal(junk.data, 1);
  const [add, fail, root] = exporter.getFinishedSpans();
  assert.equal(add!.name, "add");
  assert.equal(add!.kind, SpanKind.SERVER);
  assert.equal(add!.spanContext().traceId, TRACE_ID);
  assert.equal(add!.parentSpanContext?.spanId, PARENT_ID);
  assert.equal(add!.parentSpanContext?.traceState?.get("vendor"), "1");
  assert.equal(add!.attributes["rpc.system"], "aero");
  assert.equal(add!.attributes["rpc.method"], "add");
  assert.equal(fail!.attributes["error.type"], "invalid_params");
  assert.equal(fail!.status.code, 2);
  assert.equal(root!.parentSpanContext, undefined);
  assert.notEqual(root!.spanContext().traceId, TRACE_ID);
  await client.close();
});

Deno.test("Router traces a client publish in a PRODUCER span under the envelope's trace", async () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
    .getTracer("test");
  await using router = createRouter({ tracing: tracer });
  const { client } = await connect(router);
  await client.call({ type: "subscribe", topic: "chat.lobby" });
  const ack = await client.call({
    type: "publish",
    topic: "chat.lobby",
    data: "hi",
    ack: true,
    trace: { traceparent: TRACEPARENT },
  });
  assert.equal(ack.type, "ack");
  // The delivery carries exactly the documented fields: no trace.
  const message = client.received.find((e) => e.type === "message");
  assert.deepEqual(Object.keys(message!).sort(), ["data", "epoch", "offset", "topic", "type"]);
  await router.publish("chat.lobby", "from the server");
  const [fromClient, fromServer] = exporter.getFinishedSpans();
  assert.equal(fromClient!.name, "publish chat.lobby");
  assert.equal(fromClient!.kind, SpanKind.PRODUCER);
  assert.equal(fromClient!.parentSpanContext?.spanId, PARENT_ID);
  assert.equal(fromClient!.attributes["messaging.destination.name"], "chat.lobby");
  assert.equal(fromServer!.name, "publish chat.lobby");
  assert.equal(fromServer!.parentSpanContext, undefined);
  await client.close();
});
