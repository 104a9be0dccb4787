import assert from "node:assert/strict";
import type { Broker, BrokerEvent } from "@aero/socket/messaging";
import { until } from "../_until.ts";

/** What the contract needs to create a broker under test. */
export interface BrokerFactoryOptions {
  /** Most messages kept per topic. */
  maxHistory: number;
  /** Milliseconds a message stays in history. */
  historyTtl: number;
  /** A controllable clock, when the broker supports one. */
  now?: () => number;
}

/** How to run the contract against one broker implementation. */
export interface BrokerContractTarget {
  name: string;
  create(options: BrokerFactoryOptions): Broker | Promise<Broker>;
  /** Whether `create` honours `now` (the age-eviction test needs it). */
  controllableClock: boolean;
  /** Creates a broker that lost its state (a restart): it must report a new epoch. */
  restart?(previous: Broker, options: BrokerFactoryOptions): Broker | Promise<Broker>;
}

const DEFAULTS = { maxHistory: 5, historyTtl: 60_000 };

function recorder(broker: Broker) {
  const events: BrokerEvent[] = [];
  const subscription = broker.subscribe((event) => events.push(event));
  const messages = () =>
    events.flatMap((e) => e.type === "message" ? [`${e.message.topic}#${e.message.offset}`] : []);
  return { events, subscription, messages };
}

/** Registers the broker contract tests for `target`. */
export function brokerContract(target: BrokerContractTarget): void {
  const test = (name: string, fn: (broker: Broker) => Promise<void>, options = DEFAULTS) =>
    Deno.test(`${target.name} (broker contract) ${name}`, async () => {
      const broker = await target.create(options);
      try {
        await fn(broker);
      } finally {
        await broker.close();
      }
    });

  test("assigns offsets 1, 2, 3 per topic in one epoch", async (broker) => {
    const a1 = await broker.publish("a", 1);
    const a2 = await broker.publish("a", 2);
    const b1 = await broker.publish("b", 3);
    assert.deepEqual([a1.message.offset, a2.message.offset, b1.message.offset], [1, 2, 1]);
    assert.equal(a1.message.epoch, a2.message.epoch);
    assert.equal(a1.message.topic, "a");
    assert.equal(a2.message.data, 2);
    assert.equal(a1.receivers, 0);
  });

  test("delivers to matching exact and wildcard patterns once, in order", async (broker) => {
    const r = recorder(broker);
    await r.subscription.add("chat.lobby");
    await r.subscription.add("chat.*");
    await r.subscription.add("chat.>");
    await broker.publish("chat.lobby", "x");
    await broker.publish("chat.lobby.typing", "y");
    const { receivers } = await broker.publish("chat.lobby", "z");
    await broker.publish("news", "n");
    assert.equal(receivers, 1);
    await until(() => r.messages().length >= 3, "three messages", 2_000);
    assert.deepEqual(r.messages(), ["chat.lobby#1", "chat.lobby.typing#1", "chat.lobby#2"]);
  });

  test("stops delivering after remove and close", async (broker) => {
    const r = recorder(broker);
    await r.subscription.add("a");
    await r.subscription.add("b");
    await r.subscription.remove("a");
    await broker.publish("a", 1);
    await broker.publish("b", 1);
    await until(() => r.messages().length >= 1, "a message on b", 2_000);
    await r.subscription.close();
    assert.equal((await broker.publish("b", 2)).receivers, 0);
    assert.deepEqual(r.messages(), ["b#1"]);
  });

  test("counts receivers per subscription", async (broker) => {
    const one = recorder(broker);
    const two = recorder(broker);
    await one.subscription.add("t.*");
    await two.subscription.add("t.x");
    assert.equal((await broker.publish("t.x", 0)).receivers, 2);
    assert.equal((await broker.publish("t.y", 0)).receivers, 1);
  });

  test("keeps per-topic order under a burst", async (broker) => {
    const r = recorder(broker);
    await r.subscription.add(">");
    await Promise.all(Array.from({ length: 200 }, (_, i) => broker.publish(`t${i % 3}`, i)));
    await until(() => r.messages().length >= 200, "200 messages", 2_000);
    for (const topic of ["t0", "t1", "t2"]) {
      const offsets = r.events.flatMap((e) =>
        e.type === "message" && e.message.topic === topic ? [e.message.offset] : []
      );
      assert.deepEqual(offsets, offsets.map((_, i) => i + 1));
    }
  });

  test("returns history oldest first, bounded by count", async (broker) => {
    for (let i = 1; i <= 8; i++) await broker.publish("h", i);
    const all = await broker.history("h");
    assert.deepEqual(all.messages.map((m) => m.data), [4, 5, 6, 7, 8]);
    assert.equal(all.position.offset, 8);
    assert.equal(all.recovered, true);
    const last2 = await broker.history("h", { limit: 2 });
    assert.deepEqual(last2.messages.map((m) => m.offset), [7, 8]);
  });

  test("recovers completely from a retained position", async (broker) => {
    for (let i = 1; i <= 6; i++) await broker.publish("r", i);
    const { epoch } = (await broker.history("r")).position;
    const result = await broker.history("r", { since: { epoch, offset: 3 } });
    assert.deepEqual(result.messages.map((m) => m.offset), [4, 5, 6]);
    assert.equal(result.recovered, true);
    const upToDate = await broker.history("r", { since: { epoch, offset: 6 } });
    assert.deepEqual(upToDate.messages, []);
    assert.equal(upToDate.recovered, true);
  });

  test("reports a gap larger than the history as not recovered", async (broker) => {
    for (let i = 1; i <= 9; i++) await broker.publish("g", i);
    const { epoch } = (await broker.history("g")).position;
    const result = await broker.history("g", { since: { epoch, offset: 2 } });
    assert.deepEqual(result.messages.map((m) => m.offset), [5, 6, 7, 8, 9]);
    assert.equal(result.recovered, false);
  });

  test("reports another epoch or a future offset as not recovered", async (broker) => {
    await broker.publish("e", 1);
    const { epoch } = (await broker.history("e")).position;
    const other = await broker.history("e", { since: { epoch: `${epoch}-old`, offset: 0 } });
    assert.deepEqual([other.messages, other.recovered], [[], false]);
    const future = await broker.history("e", { since: { epoch, offset: 7 } });
    assert.deepEqual([future.messages, future.recovered], [[], false]);
  });

  test("reports offset 0 for a topic never published, recoverable from it", async (broker) => {
    const empty = await broker.history("never");
    assert.equal(empty.position.offset, 0);
    await broker.publish("never", "first");
    const result = await broker.history("never", { since: empty.position });
    assert.deepEqual(result.messages.map((m) => m.data), ["first"]);
    assert.equal(result.recovered, true);
  });

  test("tracks presence with events only on change", async (broker) => {
    const r = recorder(broker);
    await r.subscription.add("room.*");
    assert.equal(await broker.join("room.1", { session: "s1", data: { n: 1 } }), true);
    assert.equal(await broker.join("room.1", { session: "s2" }), true);
    assert.equal(await broker.join("room.1", { session: "s1", data: { n: 2 } }), false);
    assert.deepEqual(await broker.presence("room.1"), [
      { session: "s1", data: { n: 2 } },
      { session: "s2" },
    ]);
    assert.equal(await broker.leave("room.1", "s1"), true);
    assert.equal(await broker.leave("room.1", "s1"), false);
    assert.deepEqual(await broker.presence("room.1"), [{ session: "s2" }]);
    await until(() => r.events.length >= 3, "three presence events", 2_000);
    assert.deepEqual(
      r.events.map((e) => e.type === "message" ? e.type : `${e.type}:${e.member.session}`),
      [
        "joined:s1",
        "joined:s2",
        "left:s1",
      ],
    );
  });

  if (target.controllableClock) {
    let time = 1_000;
    test("evicts messages older than the history age", async (broker) => {
      await broker.publish("old", 1);
      time += 500;
      await broker.publish("old", 2);
      time += 600;
      const result = await broker.history("old", {
        since: { epoch: (await broker.history("old")).position.epoch, offset: 0 },
      });
      assert.deepEqual(result.messages.map((m) => m.data), [2]);
      assert.equal(result.recovered, false);
    }, { maxHistory: 10, historyTtl: 1_000, now: () => time } as BrokerFactoryOptions);
  }

  if (target.restart !== undefined) {
    Deno.test(`${target.name} (broker contract) changes epoch after a restart`, async () => {
      const before = await target.create(DEFAULTS);
      await before.publish("x", 1);
      const old = (await before.history("x")).position;
      const after = await target.restart!(before, DEFAULTS);
      try {
        const result = await after.history("x", { since: old });
        assert.notEqual(result.position.epoch, old.epoch);
        assert.equal(result.recovered, false);
      } finally {
        await after.close();
      }
    });
  }
}
