import assert from "node:assert/strict";
import {
  AERO_PROTOCOLS,
  type Codec,
  codecFor,
  createRouter,
  type DeadLetter,
  MemoryBroker,
  RpcError,
} from "@aero/socket/messaging";
import { connect } from "./_aero_client.ts";

for (const protocol of AERO_PROTOCOLS) {
  Deno.test(`Router connects, subscribes and delivers with ${protocol}`, async () => {
    await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
    const alice = await connect(router, protocol, { connect: { id: 1 } });
    assert.equal(alice.welcome.type, "welcome");
    assert.equal(alice.welcome.id, 1);
    assert.equal(alice.welcome.resumed, false);
    assert.equal(typeof alice.welcome.resume, "string");
    const bob = await connect(router, protocol);
    assert.deepEqual(await alice.client.call({ type: "subscribe", topic: "chat.*" }), {
      type: "subscribed",
      id: 1,
      topic: "chat.*",
    });
    const sub = await alice.client.call({ type: "subscribe", topic: "chat.lobby" });
    assert.deepEqual([sub.type, sub.epoch, sub.offset], ["subscribed", "e1", 0]);
    const data = protocol === "aero.v1.json" ? { text: "hi" } : new Uint8Array([1, 2]);
    const ack = await bob.client.call({ type: "publish", topic: "chat.lobby", data, ack: true });
    assert.deepEqual(ack, { type: "ack", id: 1, topic: "chat.lobby", epoch: "e1", offset: 1 });
    // Two matching subscriptions, one delivery.
    assert.deepEqual(await alice.client.next(), {
      type: "message",
      topic: "chat.lobby",
      epoch: "e1",
      offset: 1,
      data,
    });
    bob.client.send({ type: "publish", topic: "news", data: 1 });
    bob.client.send({ type: "publish", topic: "chat.x", data: 2 });
    assert.deepEqual((await alice.client.next()).topic, "chat.x");
    assert.deepEqual(await alice.client.call({ type: "unsubscribe", topic: "chat.*" }), {
      type: "ok",
      id: 3,
    });
    assert.equal(
      (await alice.client.call({ type: "unsubscribe", topic: "chat.*" })).error.code,
      "not_subscribed",
    );
    await alice.client.close();
    await bob.client.close();
    await Promise.all([alice.handled, bob.handled]);
    assert.equal(router.size, 0);
  });
}

Deno.test("Router encodes a publication once and writes the same frame bytes to every subscriber", async () => {
  let encodes = 0;
  const json = codecFor("aero.v1.json")!;
  const counting: Codec = { ...json, encode: (value) => (encodes++, json.encode(value)) };
  await using router = createRouter({ codecs: { "aero.v1.json": counting } });
  const peers = await Promise.all(Array.from({ length: 5 }, () => connect(router)));
  const frames: Uint8Array[] = [];
  for (const peer of peers) {
    await peer.client.call({ type: "subscribe", topic: "fan" });
    const original = peer.server.sendEncodedFrame.bind(peer.server);
    peer.server.sendEncodedFrame = (frame) => (frames.push(frame), original(frame));
  }
  encodes = 0;
  await router.publish("fan", { big: "x".repeat(1000) });
  assert.equal(encodes, 1);
  assert.equal(frames.length, 5);
  for (const frame of frames) assert.equal(frame, frames[0]);
  const payloads = await Promise.all(peers.map(async (p) => JSON.stringify(await p.client.next())));
  assert.equal(new Set(payloads).size, 1);
  for (const peer of peers) await peer.client.close();
});

Deno.test("Router keeps per-topic order for a burst of publications", async () => {
  await using router = createRouter();
  const sub = await connect(router);
  const pub = await connect(router);
  await sub.client.call({ type: "subscribe", topic: ">" });
  for (let i = 0; i < 300; i++) pub.client.send({ type: "publish", topic: `t.${i % 3}`, data: i });
  const seen = new Map<string, number[]>();
  for (let i = 0; i < 300; i++) {
    const m = await sub.client.next();
    seen.set(m.topic, [...(seen.get(m.topic) ?? []), m.offset]);
  }
  for (const offsets of seen.values()) assert.deepEqual(offsets, offsets.map((_, i) => i + 1));
  await sub.client.close();
  await pub.client.close();
});

Deno.test("Router recovers missed messages with since, completely and incompletely", async () => {
  await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1", maxHistory: 3 }) });
  const peer = await connect(router);
  for (let i = 1; i <= 2; i++) await router.publish("r", i);
  // Complete: missed 2 only.
  const ok = await peer.client.call({
    type: "subscribe",
    topic: "r",
    since: { epoch: "e1", offset: 1 },
  });
  assert.deepEqual([ok.recovered, ok.epoch, ok.offset], [true, "e1", 2]);
  assert.deepEqual(await peer.client.next(), {
    type: "message",
    topic: "r",
    epoch: "e1",
    offset: 2,
    data: 2,
  });
  await router.publish("r", 3);
  assert.equal((await peer.client.next()).offset, 3);
  await peer.client.call({ type: "unsubscribe", topic: "r" });
  for (let i = 4; i <= 8; i++) await router.publish("r", i);
  // Incomplete: a gap larger than the history gives what is retained and recovered: false.
  const gap = await peer.client.call({
    type: "subscribe",
    topic: "r",
    since: { epoch: "e1", offset: 3 },
  });
  assert.deepEqual([gap.recovered, gap.offset], [false, 8]);
  const offsets = [await peer.client.next(), await peer.client.next(), await peer.client.next()]
    .map((m) => m.offset);
  assert.deepEqual(offsets, [6, 7, 8]);
  await peer.client.call({ type: "unsubscribe", topic: "r" });
  // Another epoch: nothing, recovered: false.
  const epoch = await peer.client.call({
    type: "subscribe",
    topic: "r",
    since: { epoch: "old", offset: 8 },
  });
  assert.deepEqual([epoch.type, epoch.recovered], ["subscribed", false]);
  await router.publish("r", 9);
  assert.equal((await peer.client.next()).offset, 9);
  assert.equal(
    (await peer.client.call({ type: "subscribe", topic: "r.*", since: { epoch: "e1", offset: 0 } }))
      .error.code,
    "bad_topic",
  );
  await peer.client.close();
});

Deno.test("Router tracks presence with events and removes members on disconnect", async () => {
  await using router = createRouter();
  const watcher = await connect(router);
  const member = await connect(router);
  await watcher.client.call({ type: "subscribe", topic: "room.*" });
  assert.equal(
    (await member.client.call({ type: "join", topic: "room.1", data: { n: "ada" } })).type,
    "ok",
  );
  assert.deepEqual(await watcher.client.next(), {
    type: "joined",
    topic: "room.1",
    member: { session: member.session, data: { n: "ada" } },
  });
  const list = await watcher.client.call({ type: "presence", topic: "room.1" });
  assert.deepEqual(list.members, [{ session: member.session, data: { n: "ada" } }]);
  await member.client.close();
  await member.handled;
  assert.deepEqual(await watcher.client.next(), {
    type: "left",
    topic: "room.1",
    member: { session: member.session, data: { n: "ada" } },
  });
  assert.deepEqual(await router.presence("room.1"), []);
  await watcher.client.close();
});

Deno.test("Router joins rooms from the server side", async () => {
  await using router = createRouter();
  const peer = await connect(router);
  await router.join(peer.session, "room.a", { role: "x" });
  assert.deepEqual(await router.presence("room.a"), [{
    session: peer.session,
    data: { role: "x" },
  }]);
  await router.publish("room.a", "hello");
  const message = await peer.client.until((e) => e.type === "message");
  assert.equal(message.data, "hello");
  await router.leave(peer.session, "room.a");
  assert.deepEqual(await router.presence("room.a"), []);
  await assert.rejects(router.join("nobody", "room.a"), RpcError);
  await peer.client.close();
});

Deno.test("Router serves RPC with middleware, structured errors and timeouts", async () => {
  const calls: string[] = [];
  await using router = createRouter({ rpcTimeout: 1_000, onError: () => {} });
  router.use(async (context, next) => {
    calls.push(`in:${context.method}`);
    if (context.method === "admin") throw new RpcError("forbidden", "Cannot call admin: no");
    return await next();
  });
  router.method("echo", ({ data }) => data);
  router.method("admin", () => "secret");
  router.method("fail", () => {
    throw new Error("secret");
  });
  router.method(
    "slow",
    ({ signal }) => new Promise((resolve) => signal.addEventListener("abort", resolve)),
  );
  const peer = await connect(router);
  assert.deepEqual(await peer.client.call({ type: "request", method: "echo", data: [1] }), {
    type: "response",
    id: 1,
    data: [1],
  });
  assert.equal(
    (await peer.client.call({ type: "request", method: "admin" })).error.code,
    "forbidden",
  );
  assert.deepEqual((await peer.client.call({ type: "request", method: "fail" })).error, {
    code: "internal",
    message: "Cannot call fail: internal error",
  });
  assert.equal(
    (await peer.client.call({ type: "request", method: "nope" })).error.code,
    "method_not_found",
  );
  const started = Date.now();
  const slow = await peer.client.call({ type: "request", method: "slow", timeout: 50 });
  assert.equal(slow.error.code, "timeout");
  assert.ok(Date.now() - started < 900);
  assert.deepEqual(calls, ["in:echo", "in:admin", "in:fail", "in:slow"]);
  await peer.client.close();
});

Deno.test("Router calls client methods and reports an absent client as a dead letter", async () => {
  const letters: DeadLetter[] = [];
  await using router = createRouter({ onDeadLetter: (letter) => letters.push(letter) });
  const peer = await connect(router);
  const answer = router.request(peer.session, "ui.confirm", { q: "?" });
  const request = await peer.client.next();
  assert.deepEqual([request.type, request.method, request.data], ["request", "ui.confirm", {
    q: "?",
  }]);
  peer.client.send({ type: "response", id: request.id, data: "yes" });
  assert.equal(await answer, "yes");
  const failing = router.request(peer.session, "x");
  const second = await peer.client.next();
  peer.client.send({ type: "response", id: second.id, error: { code: "nope", message: "no" } });
  await assert.rejects(failing, (e) => e instanceof RpcError && e.code === "nope");
  const timeout = router.request(peer.session, "never", undefined, { timeout: 30 });
  await assert.rejects(timeout, (e) => e instanceof RpcError && e.code === "timeout");
  const pending = router.request(peer.session, "pending");
  await peer.client.close();
  await assert.rejects(pending, (e) => e instanceof RpcError && e.code === "unavailable");
  await peer.handled;
  await assert.rejects(
    router.request(peer.session, "gone", 1),
    (e) => e instanceof RpcError && e.code === "unavailable",
  );
  assert.deepEqual(letters, [{
    reason: "rpc_unavailable",
    session: peer.session,
    method: "gone",
    data: 1,
  }]);
});

Deno.test("Router reports a required publication without subscribers as a dead letter", async () => {
  const letters: DeadLetter[] = [];
  await using router = createRouter({ onDeadLetter: (letter) => letters.push(letter) });
  const peer = await connect(router);
  const answer = await peer.client.call({
    type: "publish",
    topic: "void",
    data: 1,
    required: true,
    ack: true,
  });
  assert.equal(answer.error.code, "no_subscribers");
  assert.deepEqual(letters, [{ reason: "no_subscribers", topic: "void", data: 1 }]);
  await peer.client.close();
});

Deno.test("Router reports deliveries dropped by the slow-consumer policy and keeps serving others", async () => {
  const letters: DeadLetter[] = [];
  await using router = createRouter({ onDeadLetter: (letter) => letters.push(letter) });
  const slow = await connect(router, "aero.v1.json", {
    server: { maxBufferedAmount: 2_000, slowConsumer: { policy: "drop" } },
  });
  const fast = await connect(router);
  await slow.client.call({ type: "subscribe", topic: "s" });
  await fast.client.call({ type: "subscribe", topic: "s" });
  for (let i = 0; i < 10; i++) await router.publish("s", "x".repeat(500));
  assert.ok(letters.length > 0);
  assert.deepEqual(Object.keys(letters[0]!).sort(), [
    "offset",
    "reason",
    "session",
    "topic",
    "type",
  ]);
  assert.equal(letters[0]!.reason, "slow_consumer");
  for (let i = 1; i <= 10; i++) assert.equal((await fast.client.next()).offset, i);
  await slow.client.close();
  await fast.client.close();
});

Deno.test("Router resumes a session id with the resume token", async () => {
  await using router = createRouter();
  const first = await connect(router);
  await first.client.close();
  await first.handled;
  const second = await connect(router, "aero.v1.json", {
    connect: { resume: first.welcome.resume },
  });
  assert.deepEqual([second.session, second.welcome.resumed], [first.session, true]);
  const third = await connect(router, "aero.v1.json", {
    connect: { resume: first.welcome.resume },
  });
  assert.equal(third.welcome.resumed, false);
  await second.client.close();
  await third.client.close();
});

Deno.test("Router refuses a connection from the connect hook", async () => {
  await using router = createRouter({
    onConnect: ({ data }) => {
      if ((data as { token?: string })?.token !== "ok") {
        throw new RpcError("forbidden", "Cannot connect: bad token");
      }
      return { user: "u1" };
    },
  });
  const good = await connect(router, "aero.v1.json", { connect: { data: { token: "ok" } } });
  assert.deepEqual(good.welcome.data, { user: "u1" });
  const bad = await connect(router, "aero.v1.json", { connect: { id: 4, data: { token: "no" } } });
  assert.deepEqual(bad.welcome, {
    type: "error",
    id: 4,
    error: { code: "forbidden", message: "Cannot connect: bad token" },
  });
  assert.equal((await bad.client.conn.closed).code, 1008);
  await good.client.close();
});
