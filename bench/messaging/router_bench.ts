/**
 * Router overhead per message, over the in-memory transport pair (no sockets): an RPC round trip
 * and a publication, each against a plain echo on the same pair (the cost of the connections
 * alone), so the difference is what the router adds.
 *
 * Run: `deno bench -A bench/messaging/router_bench.ts`
 */
import { Connection } from "../../src/connection/connection.ts";
import { createRouter, MemoryBroker } from "../../src/messaging/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";

type Reader = AsyncIterator<{ data: string | Uint8Array }>;

function pair(protocol: string): { server: Connection; client: Connection; replies: Reader } {
  const [a, b] = createTransportPair();
  const server = new Connection(a, { role: "server", protocol });
  const client = new Connection(b, { role: "client" });
  return { server, client, replies: client[Symbol.asyncIterator]() as Reader };
}

async function expect(replies: Reader, type: string): Promise<void> {
  const { value, done } = await replies.next();
  if (done || !String(value.data).includes(`"type":"${type}"`)) {
    throw new Error(`Expected ${type}, got ${done ? "the end" : value.data}`);
  }
}

async function connected(
  router: ReturnType<typeof createRouter>,
  topic?: string,
): Promise<{ client: Connection; replies: Reader }> {
  const { server, client, replies } = pair("aero.v1.json");
  router.handle(server);
  client.send('{"type":"connect"}');
  await expect(replies, "welcome");
  if (topic !== undefined) {
    client.send(`{"type":"subscribe","id":1,"topic":"${topic}"}`);
    await expect(replies, "subscribed");
  }
  return { client, replies };
}

// Baseline: an echo server on the same in-memory pair.
const echo = pair("");
(async () => {
  for await (const message of echo.server) echo.server.send(message.data);
})();

const router = createRouter({ broker: new MemoryBroker({ maxHistory: 100 }) });
router.method("add", ({ data }) => (data as number[])[0]! + (data as number[])[1]!);
const rpc = await connected(router);
const subscriber = await connected(router, "bench.one");
const publisher = await connected(router);
const many = await Promise.all(Array.from({ length: 100 }, () => connected(router, "bench.many")));

const REQUEST = '{"type":"request","id":1,"method":"add","data":[1,2]}';
const PUBLISH = '{"type":"publish","id":2,"topic":"bench.one","data":{"text":"hello"},"ack":true}';

Deno.bench({
  name: "plain echo over the transport pair (baseline)",
  group: "round trip",
  baseline: true,
  async fn() {
    echo.client.send(REQUEST);
    await echo.replies.next();
  },
});

Deno.bench({
  name: "RPC request → response through the router",
  group: "round trip",
  async fn() {
    rpc.client.send(REQUEST);
    await expect(rpc.replies, "response");
  },
});

Deno.bench({
  name: "publish with ack → ack + delivery to 1 subscriber",
  group: "round trip",
  async fn() {
    publisher.client.send(PUBLISH);
    await Promise.all([expect(publisher.replies, "ack"), expect(subscriber.replies, "message")]);
  },
});

Deno.bench({
  name: "router.publish() → delivery to 1 subscriber",
  group: "server publish",
  baseline: true,
  async fn() {
    await router.publish("bench.one", { text: "hello" });
    await expect(subscriber.replies, "message");
  },
});

Deno.bench({
  name: "router.publish() → delivery to 100 subscribers",
  group: "server publish",
  async fn() {
    await router.publish("bench.many", { text: "hello" });
    await Promise.all(many.map((s) => expect(s.replies, "message")));
  },
});

globalThis.addEventListener("unload", () => {
  echo.client.close();
  router.close();
});
