import assert from "node:assert/strict";
import { MemoryBroker } from "@aero/socket/messaging";
import { brokerContract } from "./_broker_contract.ts";

brokerContract({
  name: "MemoryBroker",
  create: (options) => new MemoryBroker(options),
  controllableClock: true,
  restart: async (previous, options) => {
    await previous.close();
    return new MemoryBroker(options);
  },
});

Deno.test("MemoryBroker isolates a throwing listener from the others", async () => {
  const errors: unknown[] = [];
  const broker = new MemoryBroker({ onListenerError: (error) => errors.push(error) });
  const seen: number[] = [];
  await broker.subscribe(() => {
    throw new Error("boom");
  }).add("t");
  await broker.subscribe((event) => {
    if (event.type === "message") seen.push(event.message.offset);
  }).add("t");
  const { receivers } = await broker.publish("t", null);
  assert.equal(receivers, 2);
  assert.deepEqual(seen, [1]);
  assert.equal(errors.length, 1);
});

Deno.test("MemoryBroker validates its options", () => {
  assert.throws(() => new MemoryBroker({ maxHistory: -1 }), RangeError);
  assert.throws(() => new MemoryBroker({ historyTtl: 1.5 }), RangeError);
  assert.throws(() => new MemoryBroker({ epoch: "" }), RangeError);
});
