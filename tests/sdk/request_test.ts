import assert from "node:assert/strict";
import { CBOR_CODEC, createRouter, MemoryBroker, MSGPACK_CODEC } from "../../src/messaging/mod.ts";
import { AeroClient, createManualClock, RpcError } from "../../src/sdk/mod.ts";
import { RouterNetwork, scriptedDialer } from "./_helpers.ts";

Deno.test("AeroClient.request fails with timeout after its deadline on the injected clock", async () => {
  const clock = createManualClock();
  const dial = scriptedDialer((peer) => peer.welcome().then(() => {}));
  const client = new AeroClient("ws://test/", {
    clock,
    keepalive: false,
    onlineEvents: null,
    dial,
  });
  await clock.advance(0);
  const call = client.request("slow", null, { timeout: 1_000 });
  const envelope = await dial.peers[0]!.next("request");
  assert.equal(envelope.timeout, 1_000, "the server is told how long the caller waits");
  let settled = false;
  call.catch(() => {}).finally(() => (settled = true));
  await clock.advance(999);
  assert.equal(settled, false);
  await clock.advance(1);
  await assert.rejects(call, (error) => error instanceof RpcError && error.code === "timeout");
  // A late answer is ignored.
  dial.peers[0]!.send({ type: "response", id: envelope.id, data: 1 });
  await client.close();
});

Deno.test("AeroClient.request counts time spent in the offline queue against its timeout", async () => {
  const clock = createManualClock();
  const client = new AeroClient("ws://test/", {
    clock,
    keepalive: false,
    onlineEvents: null,
    dial: () => new Promise(() => {}), // never connects
    connectTimeout: 60_000,
  });
  const call = assert.rejects(
    client.request("x", 1, { timeout: 500 }),
    (error) => error instanceof RpcError && error.code === "timeout",
  );
  assert.equal(client.queued, 1);
  await clock.advance(500);
  await call;
  assert.equal(client.queued, 0, "a timed-out request leaves the queue");
  await client.close();
});

Deno.test("AeroClient.request is cancelled by its AbortSignal, queued or in flight", async () => {
  const clock = createManualClock();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const dial = scriptedDialer(async (peer) => {
    await gate;
    await peer.welcome();
  });
  const client = new AeroClient("ws://test/", {
    clock,
    keepalive: false,
    onlineEvents: null,
    dial,
  });
  const queued = new AbortController();
  const call = client.request("x", 1, { signal: queued.signal });
  queued.abort(new Error("user left"));
  await assert.rejects(call, { message: "user left" });
  assert.equal(client.queued, 0);
  await assert.rejects(
    client.request("x", 1, { signal: AbortSignal.abort() }),
    (error) => error instanceof DOMException && error.name === "AbortError",
  );
  release();
  await clock.advance(0);
  const flying = new AbortController();
  const second = client.request("y", 2, { signal: flying.signal });
  const envelope = await dial.peers[0]!.next("request");
  assert.equal(envelope.method, "y", "the cancelled request never went out");
  flying.abort(new Error("stop"));
  await assert.rejects(second, { message: "stop" });
  await client.close();
});

Deno.test("AeroClient.request gets results and structured errors from a real router", async () => {
  await using router = createRouter({ broker: new MemoryBroker() });
  router.method("sum", ({ data }) => (data as number[]).reduce((a, b) => a + b, 0));
  router.method("deny", () => {
    throw new RpcError("forbidden", "Cannot deny: not allowed", { data: { why: "test" } });
  });
  const net = new RouterNetwork(router);
  const client = new AeroClient("ws://test/", {
    keepalive: false,
    onlineEvents: null,
    dial: net.dial,
  });
  assert.equal(await client.request("sum", [1, 2, 3]), 6);
  await assert.rejects(client.request("deny", null), (error) => {
    assert.ok(error instanceof RpcError);
    assert.deepEqual([error.code, error.data], ["forbidden", { why: "test" }]);
    return true;
  });
  await assert.rejects(
    client.request("nope", null),
    (error) => error instanceof RpcError && error.code === "method_not_found",
  );
  await client.close();
});

Deno.test("AeroClient fails an in-flight request with unavailable when the connection is lost, and does not resend it", async () => {
  await using router = createRouter({ broker: new MemoryBroker() });
  let calls = 0;
  router.method("hang", () => {
    calls++;
    return new Promise(() => {});
  });
  const net = new RouterNetwork(router);
  const client = new AeroClient("ws://test/", {
    keepalive: false,
    onlineEvents: null,
    reconnect: { base: 1 },
    dial: net.dial,
  });
  const call = client.request("hang", null);
  while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  net.cutAll();
  await assert.rejects(call, (error) => error instanceof RpcError && error.code === "unavailable");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(calls, 1);
  await client.close();
});

Deno.test("AeroClient.onRequest answers the server's requests; unknown methods get method_not_found", async () => {
  await using router = createRouter({ broker: new MemoryBroker() });
  const net = new RouterNetwork(router);
  const client = new AeroClient<{
    handlers: {
      "ui.confirm": { params: { text: string }; result: boolean };
      "ui.fail": { params: null; result: never };
    };
  }>("ws://test/", { keepalive: false, onlineEvents: null, dial: net.dial });
  client.onRequest("ui.confirm", ({ text }) => text === "ok?");
  const off = client.onRequest("ui.fail", () => {
    throw new RpcError("invalid_params", "Cannot confirm: bad text");
  });
  while (client.session === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(await router.request(client.session, "ui.confirm", { text: "ok?" }), true);
  await assert.rejects(
    router.request(client.session, "ui.fail", null),
    (error) => error instanceof RpcError && error.code === "invalid_params",
  );
  off();
  await assert.rejects(
    router.request(client.session, "ui.fail", null),
    (error) => error instanceof RpcError && error.code === "method_not_found",
  );
  await client.close();
});

Deno.test("AeroClient speaks MessagePack and CBOR when given those codecs", async () => {
  await using router = createRouter({ broker: new MemoryBroker() });
  router.method("echo", ({ data }) => data);
  for (const codec of [MSGPACK_CODEC, CBOR_CODEC]) {
    const net = new RouterNetwork(router);
    const client = new AeroClient("ws://test/", {
      codecs: [codec],
      keepalive: false,
      onlineEvents: null,
      dial: net.dial,
    });
    const bytes = new Uint8Array([0, 1, 255]);
    assert.deepEqual(await client.request("echo", { bytes }), { bytes });
    const received = new Promise((resolve) => {
      client.subscribe("bin", (data) => resolve(data)).ready.then(() =>
        client.publish("bin", bytes)
      );
    });
    assert.deepEqual(await received, bytes);
    await client.close();
  }
});

Deno.test("AeroClient.request and publish send the trace context the application passes", async () => {
  const clock = createManualClock();
  const dial = scriptedDialer((peer) => peer.welcome().then(() => {}));
  const client = new AeroClient("ws://test/", {
    clock,
    keepalive: false,
    onlineEvents: null,
    dial,
  });
  await clock.advance(0);
  const trace = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
  const call = client.request("sum", [1], { trace });
  const request = await dial.peers[0]!.next("request");
  assert.deepEqual(request.trace, trace);
  dial.peers[0]!.send({ type: "response", id: request.id, data: 1 });
  assert.equal(await call, 1);
  client.publish("news", 1, { trace: { ...trace, tracestate: "v=1" } });
  const publish = await dial.peers[0]!.next("publish");
  assert.deepEqual(publish.trace, { ...trace, tracestate: "v=1" });
  const plain = client.request("sum", [2]);
  const untraced = await dial.peers[0]!.next("request");
  assert.equal("trace" in untraced, false);
  dial.peers[0]!.send({ type: "response", id: untraced.id, data: 2 });
  await plain;
  await client.close();
});
