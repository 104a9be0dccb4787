import assert from "node:assert/strict";
import { createRouter, MemoryBroker } from "@aero/socket/messaging";
import { connect, type Envelope } from "./_aero_client.ts";

// Everything the client has received so far, once the answer to a `presence` probe is in.
async function drain(client: Connected["client"]): Promise<Envelope[]> {
  const probe = await client.call({ type: "presence", topic: "probe" });
  assert.equal(probe.type, "presence");
  return client.received.filter((e) => e.type === "message");
}
type Connected = Awaited<ReturnType<typeof connect>>;

Deno.test("Router delivers a publication once to a connection with a pattern and an exact subscription", async () => {
  await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
  const { client } = await connect(router);
  await client.call({ type: "subscribe", topic: "chat.*" });
  await client.call({ type: "subscribe", topic: "chat.lobby" });
  await router.publish("chat.lobby", 1);
  const messages = await drain(client);
  assert.deepEqual(messages.map((m) => m.offset), [1]);
  await client.close();
});

Deno.test("Router recovery with since skips what the connection received through a pattern", async () => {
  await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
  const { client } = await connect(router);
  await router.publish("chat.lobby", 1);
  // Reconnection order of a typical client: the pattern first, then the topic it was reading.
  await client.call({ type: "subscribe", topic: "chat.*" });
  await router.publish("chat.lobby", 2);
  await router.publish("chat.lobby", 3);
  const reply = await client.call({
    type: "subscribe",
    topic: "chat.lobby",
    since: { epoch: "e1", offset: 1 },
  });
  assert.deepEqual([reply.recovered, reply.offset], [true, 3]);
  await router.publish("chat.lobby", 4);
  const messages = await drain(client);
  assert.deepEqual(messages.map((m) => m.offset), [2, 3, 4]);
  await client.close();
});

Deno.test("Router recovery after a pattern reports recovered: false instead of reordering", async () => {
  await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
  const { client } = await connect(router);
  await router.publish("chat.lobby", 1);
  await router.publish("chat.lobby", 2);
  await client.call({ type: "subscribe", topic: "chat.*" });
  await router.publish("chat.lobby", 3);
  // Offset 2 was never received and would now arrive after 3: it is not sent, and said so.
  const reply = await client.call({
    type: "subscribe",
    topic: "chat.lobby",
    since: { epoch: "e1", offset: 1 },
  });
  assert.deepEqual([reply.recovered, reply.offset], [false, 3]);
  await router.publish("chat.lobby", 4);
  const messages = await drain(client);
  assert.deepEqual(messages.map((m) => m.offset), [3, 4]);
  await client.close();
});

Deno.test("Router recovers normally when no pattern of the connection matches the topic", async () => {
  await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
  const { client } = await connect(router);
  await client.call({ type: "subscribe", topic: "news.*" });
  await router.publish("chat.lobby", 1);
  await router.publish("chat.lobby", 2);
  const reply = await client.call({
    type: "subscribe",
    topic: "chat.lobby",
    since: { epoch: "e1", offset: 0 },
  });
  assert.equal(reply.recovered, true);
  const messages = await drain(client);
  assert.deepEqual(messages.map((m) => m.offset), [1, 2]);
  await client.close();
});
