import assert from "node:assert/strict";
import { RedisBroker } from "@aero/socket/redis";
import type { BrokerEvent } from "@aero/socket/messaging";
import { brokerContract } from "../messaging/_broker_contract.ts";
import { freshPrefix, redisReady, tidyBroker, until } from "./_redis.ts";

if (await redisReady("tests/redis/redis_broker_test.ts")) {
  brokerContract({
    name: "RedisBroker",
    create: (options) => tidyBroker(options),
    controllableClock: true,
    restart: async (previous, options) => {
      // Closing deletes the keys: the history store lost its state, as after a reset.
      const { prefix } = previous as Awaited<ReturnType<typeof tidyBroker>>;
      await previous.close();
      return await tidyBroker({ ...options, keyPrefix: prefix });
    },
  });

  Deno.test("RedisBroker round-trips binary and structured data through Redis", async () => {
    const broker = await tidyBroker();
    try {
      const events: BrokerEvent[] = [];
      const subscription = broker.subscribe((event) => events.push(event));
      await subscription.add("bin");
      const data = { bytes: new Uint8Array([0, 10, 255]), list: [1, "two", null], n: -1.5 };
      await broker.publish("bin", data);
      await until(() => events.length === 1, "the delivery");
      const [event] = events;
      assert.equal(event?.type, "message");
      assert.deepEqual(event.type === "message" && event.message.data, data);
      assert.deepEqual((await broker.history("bin")).messages[0]?.data, data);
    } finally {
      await broker.close();
    }
  });

  Deno.test("RedisBroker validates its options", async () => {
    await assert.rejects(() => RedisBroker.connect({ maxHistory: -1 }), RangeError);
    await assert.rejects(() => RedisBroker.connect({ historyTtl: 1.5 }), RangeError);
    await assert.rejects(() => RedisBroker.connect({ presenceTtl: 0 }), RangeError);
    await assert.rejects(() => RedisBroker.connect({ connectTimeout: -1 }), RangeError);
    await assert.rejects(() => RedisBroker.connect({ keyPrefix: "a b" }), TypeError);
  });

  Deno.test("RedisBroker rejects connecting to an unreachable server", async () => {
    await assert.rejects(
      () => RedisBroker.connect({ url: "redis://127.0.0.1:1" }),
      /Cannot connect broker/,
    );
  });

  Deno.test("RedisBroker removes a crashed instance's presence members after the TTL", async () => {
    const keyPrefix = freshPrefix();
    const watcher = await RedisBroker.connect({ keyPrefix, presenceTtl: 300 });
    const events: BrokerEvent[] = [];
    const subscription = watcher.subscribe((event) => events.push(event));
    await subscription.add("room.*");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./_crashing_instance.ts", import.meta.url).pathname, keyPrefix],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      assert.equal((await reader.read()).value?.trim(), "joined");
      reader.releaseLock();
      assert.deepEqual(await watcher.presence("room.1"), [{ session: "crashed", data: 7 }]);
      await until(() => events.length === 1, "the joined event");
      child.kill("SIGKILL");
      await child.status;
      await until(() => events.length === 2, "the left event", 3_000);
      assert.deepEqual(
        events.map((e) => e.type === "message" ? e.type : `${e.type}:${e.member.session}`),
        ["joined:crashed", "left:crashed"],
      );
      assert.deepEqual(await watcher.presence("room.1"), []);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.stdout.cancel().catch(() => {});
      await child.status;
      await watcher.destroyKeys();
      await watcher.close();
    }
  });
}
