import assert from "node:assert/strict";
import { createRouter, MemoryBroker } from "../../src/messaging/mod.ts";
import { AeroClient, type RecoveryEvent, type ResumeEvent, RpcError } from "../../src/sdk/mod.ts";
import { until } from "../_until.ts";
import { nextEvent, RouterNetwork, scriptedDialer } from "./_helpers.ts";

const fast = { keepalive: false, onlineEvents: null, reconnect: { base: 5, max: 20 } } as const;

Deno.test("AeroClient resubscribes after a cut and receives what it missed, in order, exactly once", async () => {
  await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
  const net = new RouterNetwork(router);
  const reader = new AeroClient<{ topics: { "chat.lobby": number } }>("ws://test/", {
    ...fast,
    dial: net.dial,
  });
  const writer = new AeroClient("ws://test/", { ...fast, dial: new RouterNetwork(router).dial });
  const seen: number[] = [];
  const offsets: number[] = [];
  await reader.subscribe("chat.lobby", (n, info) => {
    seen.push(n);
    offsets.push(info.offset);
  }).ready;
  for (let i = 1; i <= 3; i++) await writer.publish("chat.lobby", i, { ack: true });
  await until(() => seen.length === 3, "live messages", 3_000);
  net.down = true;
  net.cutAll();
  await nextEvent(reader, "state", (change) => change.state === "reconnecting");
  for (let i = 4; i <= 8; i++) await writer.publish("chat.lobby", i, { ack: true });
  const resumed: Promise<ResumeEvent> = nextEvent(reader, "resumed");
  net.down = false;
  reader.reconnectNow();
  const summary = await resumed;
  assert.equal(summary.complete, true);
  assert.deepEqual(summary.topics, [{ topic: "chat.lobby", recovered: true, reason: "resumed" }]);
  for (let i = 9; i <= 10; i++) await writer.publish("chat.lobby", i, { ack: true });
  await until(() => seen.length >= 10, "recovered and live messages", 3_000);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(offsets, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await reader.close();
  await writer.close();
});

Deno.test("AeroClient keeps its session id and presence across a reconnection", async () => {
  await using router = createRouter({ broker: new MemoryBroker() });
  const net = new RouterNetwork(router);
  const client = new AeroClient<{ presence: { name: string } }>("ws://test/", {
    ...fast,
    dial: net.dial,
  });
  await client.subscribe("room.a", () => {}).ready;
  await client.join("room.a", { name: "ada" });
  await until(() => client.state === "open", "open", 3_000);
  const session = client.session;
  const members = await client.presence("room.a");
  assert.deepEqual(members, [{ session, data: { name: "ada" } }]);
  net.cutAll();
  await nextEvent(client, "resumed");
  assert.equal(client.session, session, "resumed session");
  await until(() => router.size === 1, "one session", 3_000);
  assert.deepEqual(await client.presence("room.a"), [{ session, data: { name: "ada" } }]);
  await client.close();
});

Deno.test("AeroClient reports incomplete recovery when the server lost the topic's history (new epoch)", async () => {
  const first = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
  const net = new RouterNetwork(first);
  const client = new AeroClient("ws://test/", { ...fast, dial: net.dial });
  const seen: unknown[] = [];
  await client.subscribe("news", (data) => seen.push(data)).ready;
  await first.publish("news", "old");
  await until(() => seen.length === 1, "first message", 3_000);
  // Restart: a new router and a new in-memory broker, so a new epoch.
  const second = createRouter({ broker: new MemoryBroker({ epoch: "e2" }) });
  net.router = second;
  const recovery: Promise<RecoveryEvent> = nextEvent(client, "recovery");
  net.cutAll();
  await first.close();
  assert.deepEqual(await recovery, { topic: "news", recovered: false, reason: "epoch" });
  await second.publish("news", "new");
  await until(() => seen.length === 2, "second message", 3_000);
  assert.deepEqual(seen, ["old", "new"], "offset 1 of the new epoch is not taken for a duplicate");
  await client.close();
  await second.close();
});

Deno.test("AeroClient reports incomplete recovery when missed messages were evicted", async () => {
  await using router = createRouter({ broker: new MemoryBroker({ epoch: "e", maxHistory: 2 }) });
  const net = new RouterNetwork(router);
  const client = new AeroClient("ws://test/", { ...fast, dial: net.dial });
  const seen: unknown[] = [];
  await client.subscribe("t", (data) => seen.push(data)).ready;
  await router.publish("t", 1);
  await until(() => seen.length === 1, "first message", 3_000);
  net.down = true;
  net.cutAll();
  await nextEvent(client, "state", (change) => change.state === "reconnecting");
  for (let i = 2; i <= 5; i++) await router.publish("t", i);
  const resumed: Promise<ResumeEvent> = nextEvent(client, "resumed");
  net.down = false;
  client.reconnectNow();
  const summary = await resumed;
  assert.equal(summary.complete, false);
  assert.deepEqual(summary.topics, [{ topic: "t", recovered: false, reason: "evicted" }]);
  await until(() => seen.length === 3, "retained messages", 3_000);
  assert.deepEqual(seen, [1, 4, 5], "the retained messages, in order");
  await client.close();
});

Deno.test("AeroClient drops replayed duplicates and reports a live gap", async () => {
  const dial = scriptedDialer(
    async (peer) => {
      await peer.welcome();
      const sub = await peer.next("subscribe");
      peer.send({ type: "subscribed", id: sub.id, topic: "t", epoch: "e", offset: 0 });
      for (const offset of [1, 2, 2, 1, 3]) {
        peer.send({ type: "message", topic: "t", epoch: "e", offset, data: offset });
      }
      peer.send({ type: "message", topic: "t", epoch: "e", offset: 6, data: 6 });
      peer.send({ type: "message", topic: "other", epoch: "e", offset: 1, data: "not subscribed" });
      await peer.next("never", 500).catch(() => {});
      peer.conn.close(1001);
    },
    async (peer) => {
      await peer.welcome("s1", true);
      const sub = await peer.next("subscribe");
      assert.deepEqual(sub.since, { epoch: "e", offset: 6 });
      peer.send({
        type: "subscribed",
        id: sub.id,
        topic: "t",
        epoch: "e",
        offset: 7,
        recovered: true,
      });
      // A server replaying too much: everything up to 6 was seen already.
      for (const offset of [5, 6, 7]) {
        peer.send({ type: "message", topic: "t", epoch: "e", offset, data: offset });
      }
    },
  );
  const client = new AeroClient("ws://test/", { ...fast, dial });
  const seen: unknown[] = [];
  const recoveries: RecoveryEvent[] = [];
  client.on("recovery", (event) => recoveries.push(event));
  client.subscribe("t", (data) => seen.push(data));
  await until(() => seen.length === 5, "deliveries", 3_000);
  assert.deepEqual(seen, [1, 2, 3, 6, 7]);
  assert.deepEqual(recoveries, [
    { topic: "t", recovered: false, reason: "gap" },
    { topic: "t", recovered: true, reason: "resumed" },
  ]);
  await client.close();
});

Deno.test("AeroClient replaces a connection that misses its keepalive", async () => {
  const dial = scriptedDialer(
    async (peer) => {
      await peer.welcome();
      const probe = await peer.next("request");
      peer.send({
        type: "response",
        id: probe.id,
        error: { code: "method_not_found", message: "no" },
      });
      await peer.next("request"); // the second probe goes unanswered: the server is stuck
    },
    (peer) => peer.welcome().then(() => {}),
  );
  const client = new AeroClient("ws://test/", {
    onlineEvents: null,
    reconnect: { base: 1 },
    keepalive: { interval: 40, timeout: 60 },
    dial,
  });
  const change = await nextEvent(client, "state", (change) => change.state === "reconnecting");
  assert.equal(change.reason, "keepalive_timeout");
  await until(() => client.state === "open" && dial.peers.length === 2);
  assert.equal(dial.peers[0]!.received.filter((e) => e.type === "request").length, 2);
  assert.equal(dial.peers[0]!.received[1]!.method, "aero.ping");
  await client.close();
});

Deno.test("AeroClient closes with reason forbidden when the server refuses the connect", async () => {
  const dial = scriptedDialer(async (peer) => {
    const connect = await peer.next("connect");
    assert.deepEqual(connect.data, { token: "bad" });
    peer.send({ type: "error", id: connect.id, error: { code: "forbidden", message: "no" } });
    peer.conn.close(1008, "forbidden");
  });
  const client = new AeroClient("ws://test/", {
    ...fast,
    dial,
    connectData: () => ({ token: "bad" }),
  });
  const change = await nextEvent(client, "state", (change) => change.state === "closed");
  assert.equal(change.reason, "forbidden");
  await client.closed;
});

Deno.test("AeroClient.subscribe's ready rejects when the server refuses the subscription", async () => {
  await using router = createRouter({
    broker: new MemoryBroker(),
    authorize: ({ action, topic }) => !(action === "subscribe" && topic.startsWith("admin.")),
  });
  const net = new RouterNetwork(router);
  const client = new AeroClient("ws://test/", { ...fast, dial: net.dial });
  const errors: unknown[] = [];
  client.on("error", (error) => errors.push(error));
  await assert.rejects(
    client.subscribe("admin.x", () => {}).ready,
    (error) => error instanceof RpcError && error.code === "forbidden",
  );
  await client.subscribe("public.x", () => {}).ready;
  assert.equal(errors.length, 1);
  assert.throws(() => client.subscribe("bad..topic", () => {}), TypeError);
  await client.close();
});
