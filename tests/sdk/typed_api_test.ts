// Compile-time checks of the typed API: `deno check` (and `deno test`) fail if a line marked
// `@ts-expect-error` compiles, so these lines prove that misuse is rejected.
import assert from "node:assert/strict";
import { createRouter, MemoryBroker, type Router } from "../../src/messaging/mod.ts";
import { AeroClient, type ClientSchema, type StreamPosition } from "../../src/sdk/mod.ts";
import { RouterNetwork } from "./_helpers.ts";

interface ChatMessage {
  nick: string;
  text: string;
}

interface Chat extends ClientSchema {
  topics: {
    [room: `chat.${string}`]: ChatMessage;
    "alerts": { level: "info" | "warn" };
  };
  methods: {
    "room.history": { params: { room: string }; result: ChatMessage[] };
  };
  handlers: {
    "client.version": { params: null; result: string };
  };
  presence: { nick: string };
}

function typedUsage(client: AeroClient<Chat>): void {
  client.subscribe("chat.lobby", (message, info) => {
    const text: string = message.text;
    const offset: number = info.offset;
    // @ts-expect-error: ChatMessage has no `body`
    message.body;
    void [text, offset];
  });
  client.subscribe("alerts", (alert) => {
    const level: "info" | "warn" = alert.level;
    void level;
  });
  // @ts-expect-error: undeclared topic
  client.subscribe("news", () => {});
  void client.publish("chat.lobby", { nick: "ada", text: "hi" });
  // @ts-expect-error: wrong payload for the topic
  void client.publish("chat.lobby", { level: "info" });
  // @ts-expect-error: missing field
  void client.publish("chat.lobby", { nick: "ada" });
  const acked: Promise<StreamPosition> = client.publish("alerts", { level: "warn" }, { ack: true });
  void acked;
  const history: Promise<ChatMessage[]> = client.request("room.history", { room: "lobby" });
  void history;
  // @ts-expect-error: wrong parameters
  void client.request("room.history", { name: "lobby" });
  // @ts-expect-error: unknown method
  void client.request("room.delete", { room: "lobby" });
  // @ts-expect-error: the result is ChatMessage[], not a number
  const wrong: Promise<number> = client.request("room.history", { room: "lobby" });
  void wrong;
  client.onRequest("client.version", () => "1.0");
  // @ts-expect-error: the handler must return a string
  client.onRequest("client.version", () => 1);
  void client.join("chat.lobby", { nick: "ada" });
  // @ts-expect-error: presence data has the wrong shape
  void client.join("chat.lobby", { name: "ada" });
  client.on("presence", (event) => {
    const nick: string | undefined = event.member.data?.nick;
    void nick;
  });
  client.on("state", (change) => {
    // @ts-expect-error: not a state
    if (change.state === "sleeping") return;
  });
  // @ts-expect-error: unknown event
  client.on("message", () => {});
}

// The same schema types the server side: method handlers, publications and calls to clients.
function typedServer(router: Router<Chat>): void {
  router.method("room.history", ({ data }) => {
    const room: string = data.room;
    // @ts-expect-error: the parameters have no `name`
    data.name;
    return [{ nick: "server", text: room }];
  });
  // @ts-expect-error: the result must be ChatMessage[]
  router.method("room.history", () => "nothing");
  // @ts-expect-error: undeclared method
  router.method("room.delete", () => null);
  void router.publish("chat.lobby", { nick: "ada", text: "hi" });
  // @ts-expect-error: wrong payload for the topic
  void router.publish("alerts", { nick: "ada", text: "hi" });
  // @ts-expect-error: undeclared topic
  void router.publish("news", { nick: "ada", text: "hi" });
  const version: Promise<string> = router.request("session-id", "client.version", null);
  void version;
  // @ts-expect-error: the client's answer is a string
  const wrong: Promise<number> = router.request("session-id", "client.version", null);
  void wrong;
  // @ts-expect-error: undeclared client method
  void router.request("session-id", "client.reboot", null);
}

function untypedUsage(client: AeroClient): void {
  // Without a schema, any topic, method and payload is accepted (as `unknown`).
  client.subscribe("anything.at.all", (data: unknown) => void data);
  void client.publish("x", { any: "thing" });
  void client.request("whatever", [1, 2, 3]);
}

Deno.test("The typed API compiles for correct use and carries typed payloads at run time", async () => {
  await using router = createRouter<Chat>({ broker: new MemoryBroker() });
  router.method("room.history", ({ data }) => [{ nick: "ada", text: `earlier in ${data.room}` }]);
  const net = new RouterNetwork(router);
  const client = new AeroClient<Chat>("ws://test/", {
    keepalive: false,
    onlineEvents: null,
    dial: net.dial,
  });
  assert.equal(typeof typedUsage, "function");
  assert.equal(typeof untypedUsage, "function");
  assert.equal(typeof typedServer, "function");
  const received = new Promise<ChatMessage>((resolve) => {
    const subscription = client.subscribe("chat.lobby", (message) => resolve(message));
    subscription.ready.then(() => client.publish("chat.lobby", { nick: "ada", text: "hi" }));
  });
  assert.deepEqual(await received, { nick: "ada", text: "hi" });
  const history = await client.request("room.history", { room: "lobby" });
  assert.equal(history[0]?.text, "earlier in lobby");
  await client.close();
});
