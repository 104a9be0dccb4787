import assert from "node:assert/strict";
import { AERO_PROTOCOLS, createRouter } from "@aero/socket/messaging";
import { until } from "../_until.ts";
import { serve } from "@aero/socket/server";
import { connect } from "./_aero_client.ts";

Deno.test("Router answers a malformed envelope with bad_envelope and stays open", async () => {
  await using router = createRouter();
  const peer = await connect(router);
  peer.client.send({ type: "subscribe", id: 5 });
  assert.deepEqual((await peer.client.next()).error.code, "bad_envelope");
  peer.client.send({ type: "warp", id: "w" });
  assert.deepEqual(await peer.client.next().then((e) => [e.id, e.error.code]), [
    "w",
    "bad_envelope",
  ]);
  assert.equal(
    (await peer.client.call({ type: "publish", topic: "a.*", ack: true })).error.code,
    "bad_topic",
  );
  assert.equal(
    (await peer.client.call({ type: "subscribe", topic: "a..b" })).error.code,
    "bad_topic",
  );
  assert.equal((await peer.client.call({ type: "connect" })).error.code, "already_connected");
  await peer.client.close();
});

Deno.test("Router closes with 1007, 1003, 1008 on undecodable, wrong-kind and oversized input", async () => {
  await using router = createRouter({ maxEnvelopeSize: 100 });
  const others = await connect(router);
  await others.client.call({ type: "subscribe", topic: "t" });
  const cases: [(c: Awaited<ReturnType<typeof connect>>) => void, number, string][] = [
    [(c) => c.client.conn.send("{not json"), 1007, "bad_encoding"],
    [(c) => c.client.conn.send(new Uint8Array([1])), 1003, "unsupported_data"],
    [
      (c) => c.client.send({ type: "publish", topic: "t", data: "x".repeat(200) }),
      1008,
      "too_large",
    ],
  ];
  for (const [send, code, reason] of cases) {
    const peer = await connect(router);
    send(peer);
    const closed = await peer.client.conn.closed;
    assert.deepEqual([closed.code, closed.reason], [code, reason]);
    await peer.handled;
  }
  // The other connection was not affected.
  assert.equal(
    (await others.client.call({ type: "publish", topic: "t", data: 1, ack: true })).type,
    "ack",
  );
  assert.ok(others.client.received.some((e) => e.type === "message" && e.data === 1));
  await others.client.close();
});

Deno.test("Router closes with 1008 after too many malformed envelopes, or before connect", async () => {
  await using router = createRouter({ maxErrors: 2 });
  const peer = await connect(router);
  for (let i = 0; i < 3; i++) peer.client.send({ type: "nope" });
  const closed = await peer.client.conn.closed;
  assert.deepEqual([closed.code, closed.reason], [1008, "too_many_errors"]);
  const early = await connect(router, "aero.v1.json", { connect: false });
  early.client.send({ type: "subscribe", id: 1, topic: "t" });
  const earlyClosed = await early.client.conn.closed;
  assert.deepEqual([earlyClosed.code, earlyClosed.reason], [1008, "not_connected"]);
});

Deno.test("Router closes a connection that never sends connect", async () => {
  await using router = createRouter({ connectTimeout: 30 });
  const peer = await connect(router, "aero.v1.json", { connect: false });
  const closed = await peer.client.conn.closed;
  assert.deepEqual([closed.code, closed.reason], [1008, "not_connected"]);
});

for (const engine of ["streams", "native"] as const) {
  Deno.test(`Router runs on serve() with the ${engine} engine`, async () => {
    await using router = createRouter();
    const server = serve(
      { hostname: "127.0.0.1", port: 0, engine, protocols: AERO_PROTOCOLS },
      (conn) => router.handle(conn),
    );
    try {
      const sockets = [
        new WebSocket(server.url, "aero.v1.json"),
        new WebSocket(server.url, "aero.v1.json"),
      ];
      const inboxes = sockets.map((ws) => {
        const inbox: Record<string, unknown>[] = [];
        ws.onmessage = (event) => inbox.push(JSON.parse(event.data));
        return inbox;
      });
      await Promise.all(sockets.map((ws) => new Promise((resolve) => (ws.onopen = resolve))));
      for (const ws of sockets) {
        ws.send(JSON.stringify({ type: "connect" }));
        ws.send(JSON.stringify({ type: "subscribe", id: 1, topic: "live" }));
      }
      await until(() => inboxes.every((inbox) => inbox.length >= 2));
      sockets[0]!.send(JSON.stringify({ type: "publish", topic: "live", data: "hi" }));
      await until(() => inboxes.every((inbox) => inbox.length >= 3));
      for (const inbox of inboxes) {
        assert.deepEqual(inbox.map((e) => e.type), ["welcome", "subscribed", "message"]);
        assert.equal(inbox[2]!.data, "hi");
      }
      const closed = sockets.map((ws) => new Promise((resolve) => (ws.onclose = resolve)));
      await server.shutdown();
      await Promise.all(closed);
    } finally {
      await server.shutdown();
    }
  });
}
