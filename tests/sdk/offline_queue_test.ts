import assert from "node:assert/strict";
import { AeroClient, createManualClock, OfflineQueue, RpcError } from "../../src/sdk/mod.ts";
import { scriptedDialer } from "./_helpers.ts";

Deno.test("OfflineQueue keeps order, refuses when full with the reject policy", () => {
  const queue = new OfflineQueue<number>({ maxSize: 3 });
  for (const n of [1, 2, 3]) assert.deepEqual(queue.push(n), { accepted: true });
  assert.deepEqual(queue.push(4), { accepted: false });
  assert.equal(queue.remove(2), true);
  assert.equal(queue.remove(2), false);
  assert.deepEqual(queue.push(5), { accepted: true });
  assert.deepEqual(queue.drain(), [1, 3, 5]);
  assert.deepEqual(queue.drain(), []);
});

Deno.test("OfflineQueue evicts the oldest item with the drop-oldest policy", () => {
  const queue = new OfflineQueue<number>({ maxSize: 2, policy: "drop-oldest" });
  queue.push(1);
  queue.push(2);
  assert.deepEqual(queue.push(3), { accepted: true, evicted: 1 });
  assert.deepEqual(queue.push(4), { accepted: true, evicted: 2 });
  assert.deepEqual(queue.drain(), [3, 4]);
  assert.deepEqual(new OfflineQueue<number>({ maxSize: 0, policy: "drop-oldest" }).push(1), {
    accepted: false,
  });
  assert.throws(() => new OfflineQueue({ maxSize: -1 }), RangeError);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new OfflineQueue({ policy: "fifo" as any }), TypeError);
});

function offlineThenOnline(maxSize: number, policy: "reject" | "drop-oldest") {
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
    offlineQueue: { maxSize, policy },
    dial,
  });
  return { client, dial, clock, release };
}

Deno.test("AeroClient flushes publications and requests made while connecting in order, once open", async () => {
  const { client, dial, clock, release } = offlineThenOnline(10, "reject");
  const sent = [
    client.publish("a.b", 1),
    client.request("sum", [1, 2]),
    client.publish("a.b", 2, { ack: true }),
    client.publish("c", 3),
  ];
  assert.equal(client.queued, 4);
  release();
  await clock.advance(0);
  const peer = dial.peers[0]!;
  const order: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    const envelope = await peer.next();
    order.push(envelope.type === "request" ? envelope.method : envelope.data);
    if (envelope.type === "request") peer.send({ type: "response", id: envelope.id, data: 3 });
    if (envelope.ack) {
      peer.send({ type: "ack", id: envelope.id, topic: "a.b", epoch: "e", offset: 7 });
    }
  }
  assert.deepEqual(order, [1, "sum", 2, 3]);
  assert.deepEqual(await Promise.all(sent), [undefined, 3, { epoch: "e", offset: 7 }, undefined]);
  assert.equal(client.queued, 0);
  await client.close();
});

Deno.test("AeroClient's offline queue rejects beyond its bound with the reject policy", async () => {
  const { client, dial, clock, release } = offlineThenOnline(2, "reject");
  const first = client.publish("t", 1);
  const second = client.publish("t", 2);
  await assert.rejects(
    client.publish("t", 3),
    (error) => error instanceof RpcError && error.code === "limit_exceeded",
  );
  release();
  await clock.advance(0);
  await Promise.all([first, second]);
  const peer = dial.peers[0]!;
  assert.deepEqual([(await peer.next("publish")).data, (await peer.next("publish")).data], [1, 2]);
  await client.close();
});

Deno.test("AeroClient's offline queue evicts the oldest with the drop-oldest policy", async () => {
  const { client, dial, clock, release } = offlineThenOnline(2, "drop-oldest");
  const first = client.publish("t", 1);
  const rest = [client.publish("t", 2), client.publish("t", 3)];
  await assert.rejects(
    first,
    (error) => error instanceof RpcError && error.code === "limit_exceeded",
  );
  release();
  await clock.advance(0);
  await Promise.all(rest);
  const peer = dial.peers[0]!;
  assert.deepEqual([(await peer.next("publish")).data, (await peer.next("publish")).data], [2, 3]);
  await client.close();
});

Deno.test("AeroClient rejects everything queued with cancelled when closed", async () => {
  const { client } = offlineThenOnline(5, "reject");
  const pending = [client.publish("t", 1), client.request("x", null)];
  await client.close();
  for (const result of await Promise.allSettled(pending)) {
    assert.equal(result.status, "rejected");
    assert.equal((result.reason as RpcError).code, "cancelled");
  }
  await assert.rejects(client.publish("t", 2), RpcError);
});
