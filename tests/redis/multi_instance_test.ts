import assert from "node:assert/strict";
import { AERO_PROTOCOLS, createRouter, type Router } from "@aero/socket/messaging";
import { RedisBroker } from "@aero/socket/redis";
import { serve, type Server } from "@aero/socket/server";
import { freshPrefix, redisReady } from "./_redis.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

interface Instance {
  broker: RedisBroker;
  router: Router;
  server: Server;
}

async function startInstance(keyPrefix: string): Promise<Instance> {
  const broker = await RedisBroker.connect({ keyPrefix, presenceTtl: 600 });
  const router = createRouter({ broker });
  const server = serve(
    { hostname: "127.0.0.1", port: 0, protocols: AERO_PROTOCOLS },
    (conn) => router.handle(conn),
  );
  return { broker, router, server };
}

async function stopInstance({ broker, router, server }: Instance): Promise<void> {
  await server.shutdown({ timeout: 1_000 });
  await router.close();
  await broker.close();
}

// Runs `body` against two instances sharing one key prefix, then removes the keys and stops both.
async function withTwoInstances(body: (one: Instance, two: Instance) => Promise<void>) {
  const keyPrefix = freshPrefix();
  const one = await startInstance(keyPrefix);
  const two = await startInstance(keyPrefix);
  try {
    await body(one, two);
  } finally {
    await one.broker.destroyKeys();
    await stopInstance(one);
    await stopInstance(two);
  }
}

/** An aero.v1.json client over Deno's WebSocket. */
async function open(url: string) {
  const ws = new WebSocket(url, "aero.v1.json");
  const received: Json[] = [];
  let wake = () => {};
  ws.onmessage = (event) => {
    received.push(JSON.parse(event.data));
    wake();
  };
  const closed = new Promise((resolve) => (ws.onclose = resolve));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let nextId = 1;
  const take = async (predicate: (e: Json) => boolean, ms = 3_000): Promise<Json> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = received.findIndex(predicate);
      if (index >= 0) return received.splice(index, 1)[0]!;
      if (Date.now() > deadline) throw new Error("Timed out waiting for an envelope");
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  };
  const client = {
    send: (envelope: Json) => ws.send(JSON.stringify(envelope)),
    take,
    call: (envelope: Json) => {
      const id = nextId++;
      client.send({ ...envelope, id });
      return take((e) => e.id === id);
    },
    close: async () => {
      ws.close();
      await closed;
    },
  };
  await client.call({ type: "connect" });
  return client;
}

if (await redisReady("tests/redis/multi_instance_test.ts")) {
  Deno.test("Two RedisBroker instances: a publication on one reaches the other's subscribers in order", async () => {
    await withTwoInstances(async (one, two) => {
      const reader = await open(one.server.url);
      const writer = await open(two.server.url);
      const subscribed = await reader.call({ type: "subscribe", topic: "chat.lobby" });
      assert.equal(subscribed.offset, 0);
      await reader.call({ type: "subscribe", topic: "chat.*" });
      for (let i = 1; i <= 50; i++) {
        writer.send({ type: "publish", topic: "chat.lobby", data: { i } });
      }
      const ack = await writer.call({
        type: "publish",
        topic: "chat.lobby",
        data: "last",
        ack: true,
      });
      assert.deepEqual([ack.type, ack.offset, ack.epoch], ["ack", 51, subscribed.epoch]);
      const offsets: number[] = [];
      for (let i = 1; i <= 51; i++) {
        const message = await reader.take((e) => e.type === "message");
        assert.equal(message.epoch, subscribed.epoch);
        offsets.push(message.offset);
        if (i <= 50) assert.deepEqual(message.data, { i });
      }
      // Two matching subscriptions on one connection: one delivery each, in offset order.
      assert.deepEqual(offsets, Array.from({ length: 51 }, (_, i) => i + 1));
      await reader.close();
      await writer.close();
    });
  });

  Deno.test("Two RedisBroker instances: a client recovers with since on the other instance", async () => {
    await withTwoInstances(async (one, two) => {
      const first = await open(one.server.url);
      const { epoch } = await first.call({ type: "subscribe", topic: "news" });
      for (let i = 1; i <= 3; i++) await one.router.publish("news", i);
      for (let i = 1; i <= 3; i++) await first.take((e) => e.type === "message");
      await first.close();
      for (let i = 4; i <= 6; i++) await one.router.publish("news", i);
      const again = await open(two.server.url);
      const reply = await again.call({
        type: "subscribe",
        topic: "news",
        since: { epoch, offset: 3 },
      });
      assert.deepEqual([reply.epoch, reply.offset, reply.recovered], [epoch, 6, true]);
      const recovered = [];
      for (let i = 4; i <= 6; i++) {
        recovered.push((await again.take((e) => e.type === "message")).data);
      }
      assert.deepEqual(recovered, [4, 5, 6]);
      // Live messages continue after the recovered ones, from either instance.
      await one.router.publish("news", 7);
      assert.equal((await again.take((e) => e.type === "message")).offset, 7);
      const stale = await open(two.server.url);
      const lost = await stale.call({
        type: "subscribe",
        topic: "news",
        since: { epoch: "gone", offset: 3 },
      });
      assert.equal(lost.recovered, false);
      await again.close();
      await stale.close();
    });
  });

  Deno.test("Two RedisBroker instances: presence is shared, and leaves with the connection", async () => {
    await withTwoInstances(async (one, two) => {
      const watcher = await open(two.server.url);
      await watcher.call({ type: "subscribe", topic: "room.1" });
      const member = await open(one.server.url);
      await member.call({ type: "join", topic: "room.1", data: { name: "ada" } });
      const joined = await watcher.take((e) => e.type === "joined");
      assert.deepEqual(joined.member.data, { name: "ada" });
      const { members } = await watcher.call({ type: "presence", topic: "room.1" });
      assert.deepEqual(members, [joined.member]);
      await member.close();
      const left = await watcher.take((e) => e.type === "left");
      assert.equal(left.member.session, joined.member.session);
      assert.deepEqual((await watcher.call({ type: "presence", topic: "room.1" })).members, []);
      await watcher.close();
    });
  });
}
