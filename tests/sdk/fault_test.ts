// The server is restarted while clients publish. Every acknowledged publication must reach
// every subscriber exactly once after recovery — or the subscriber must be told that recovery
// was incomplete. Real sockets on 127.0.0.1.
import assert from "node:assert/strict";
import {
  AERO_PROTOCOLS,
  type Broker,
  createRouter,
  MemoryBroker,
} from "../../src/messaging/mod.ts";
import { serve, type Server } from "../../src/server/mod.ts";
import { AeroClient, type RecoveryEvent, RpcError } from "../../src/sdk/mod.ts";
import { until } from "../_until.ts";

function start(broker: Broker, port: number): { server: Server; close(): Promise<void> } {
  const router = createRouter({ broker });
  const server = serve(
    { hostname: "127.0.0.1", port, protocols: AERO_PROTOCOLS, onListen() {} },
    (conn) => router.handle(conn),
  );
  return {
    server,
    async close() {
      await server.shutdown({ timeout: 500 });
      await router.close();
    },
  };
}

async function run(brokerAfterRestart: (first: Broker) => Broker) {
  const broker = new MemoryBroker({ epoch: "before", maxHistory: 10_000 });
  let current = start(broker, 0);
  const port = current.server.addr.port;
  const url = `ws://127.0.0.1:${port}/`;
  const options = {
    onlineEvents: null,
    // An attempt that reaches the server while it stops can be accepted at the TCP level and then
    // never answered (the listener is closing); the client gives up on it and dials again.
    connectTimeout: 1_000,
    reconnect: { base: 10, max: 50 },
    // At 10–50 ms between attempts, a restart slowed by a busy machine fails five in a row and
    // opens the breaker; its default 30 s cooldown would outlast the test.
    breaker: { cooldown: 100 },
    requestTimeout: 5_000,
  };
  const subscribers = [0, 1].map(() => {
    const client = new AeroClient<{ topics: { "fault.t": number } }>(url, options);
    const received: number[] = [];
    const losses: RecoveryEvent[] = [];
    const subscription = client.subscribe("fault.t", (n) => received.push(n));
    client.on("recovery", (event) => event.recovered || losses.push(event));
    return { client, received, losses, ready: subscription.ready };
  });
  const publisher = new AeroClient<{ topics: { "fault.t": number } }>(url, options);
  await until(
    () => [publisher, ...subscribers.map((s) => s.client)].every((c) => c.state === "open"),
    "every client open",
    5_000,
  );
  await Promise.all(subscribers.map((s) => s.ready));
  const acked: number[] = [];
  const failed: string[] = [];
  const publishing = (async () => {
    for (let i = 1; i <= 120; i++) {
      try {
        await publisher.publish("fault.t", i, { ack: true });
        acked.push(i);
      } catch (error) {
        failed.push(error instanceof RpcError ? error.code : String(error));
      }
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await until(() => acked.length >= 40, "first acks", 5_000);
  await current.close();
  current = start(brokerAfterRestart(broker), port);
  await publishing;
  const done = () =>
    subscribers.every((s) => acked.every((n) => s.received.includes(n)) || s.losses.length > 0);
  await until(done, "recovery", 10_000).catch((error) => {
    const report = subscribers.map((s) => ({
      state: s.client.state,
      missing: acked.filter((n) => !s.received.includes(n)),
      tail: s.received.slice(-5),
    }));
    throw new Error(`${error.message}: ${JSON.stringify(report)}`);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const client of [publisher, ...subscribers.map((s) => s.client)]) await client.close();
  await current.close();
  return { acked, failed, subscribers };
}

Deno.test("Fault: a restart with a surviving broker delivers every acknowledged publication exactly once", async () => {
  const { acked, subscribers } = await run((broker) => broker);
  assert.ok(acked.length >= 100, `most publications acknowledged (${acked.length})`);
  for (const { received, losses } of subscribers) {
    assert.deepEqual(losses, [], "recovery complete");
    assert.equal(new Set(received).size, received.length, "no duplicates");
    assert.deepEqual(received, [...received].sort((a, b) => a - b), "in order");
    for (const n of acked) assert.ok(received.includes(n), `acknowledged ${n} delivered`);
  }
});

Deno.test("Fault: a restart that loses history tells every subscriber that recovery was incomplete", async () => {
  const { acked, subscribers } = await run(() => new MemoryBroker({ epoch: "after" }));
  assert.ok(acked.length >= 100, `most publications acknowledged (${acked.length})`);
  for (const { received, losses } of subscribers) {
    assert.equal(new Set(received).size, received.length, "no duplicates");
    const complete = acked.every((n) => received.includes(n));
    assert.ok(complete || losses.length > 0, "either complete or told so");
    assert.ok(losses.some((loss) => loss.reason === "epoch"), "the new epoch is reported");
  }
});
