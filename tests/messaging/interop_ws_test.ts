// Interop: clients this project did not write — the `ws` package and Deno's built-in
// WebSocket — speak aero.v1.json to serve() + the router, using only envelopes written by hand
// from docs/PROTOCOL.md. Nothing from src/messaging is used on the client side.
import assert from "node:assert/strict";
import WebSocket from "ws";
import { serve } from "@aero/socket/server";
import { AERO_PROTOCOLS, createRouter, MemoryBroker } from "@aero/socket/messaging";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** A JSON client over some WebSocket implementation, with an inbox of decoded envelopes. */
interface Peer {
  send(envelope: Json): void;
  sendText(text: string): void;
  /** The next envelope satisfying `match` (others stay in the inbox), within 3 s. */
  next(match?: (envelope: Json) => boolean): Promise<Json>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

function _inbox() {
  const inbox: Json[] = [];
  let wake: (() => void) | undefined;
  return {
    push(envelope: Json) {
      inbox.push(envelope);
      wake?.();
    },
    async next(match: (envelope: Json) => boolean = () => true): Promise<Json> {
      const deadline = Date.now() + 3_000;
      for (;;) {
        const index = inbox.findIndex(match);
        if (index >= 0) return inbox.splice(index, 1)[0]!;
        if (Date.now() > deadline) throw new Error(`Timed out; inbox: ${JSON.stringify(inbox)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
      }
    },
  };
}

async function openWs(url: string): Promise<Peer> {
  const ws = new WebSocket(url, "aero.v1.json", { perMessageDeflate: false });
  const inbox = _inbox();
  ws.on("message", (data, binary) => {
    assert.equal(binary, false, "aero.v1.json uses text frames only");
    inbox.push(JSON.parse(String(data)));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => resolve({ code, reason: String(reason) }));
  });
  ws.on("error", () => {});
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  assert.equal(ws.protocol, "aero.v1.json");
  return {
    send: (envelope) => ws.send(JSON.stringify(envelope)),
    sendText: (text) => ws.send(text),
    next: inbox.next,
    closed,
    close: () => ws.close(),
  };
}

async function openDeno(url: string): Promise<Peer> {
  const ws = new globalThis.WebSocket(url, ["aero.v1.json"]);
  const inbox = _inbox();
  ws.onmessage = (event) => inbox.push(JSON.parse(event.data));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.onclose = (event) => resolve({ code: event.code, reason: event.reason });
  });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  assert.equal(ws.protocol, "aero.v1.json");
  return {
    send: (envelope) => ws.send(JSON.stringify(envelope)),
    sendText: (text) => ws.send(text),
    next: inbox.next,
    closed,
    close: () => ws.close(),
  };
}

const byId = (id: number) => (envelope: Json) => envelope.id === id;
const CLIENTS = [["the ws package", openWs], ["Deno's WebSocket", openDeno]] as const;

for (const [name, open] of CLIENTS) {
  Deno.test(`Interop: ${name} speaks aero.v1.json to serve() and the router`, async () => {
    await using router = createRouter({ broker: new MemoryBroker({ epoch: "e1" }) });
    router.method("sum", ({ data }) => (data as number[]).reduce((a, b) => a + b, 0));
    const server = serve(
      { hostname: "127.0.0.1", port: 0, protocols: AERO_PROTOCOLS },
      (conn) => router.handle(conn),
    );
    const peers: Peer[] = [];
    try {
      const a = await open(server.url);
      const b = await open(server.url);
      peers.push(a, b);
      // connect / welcome
      a.send({ type: "connect", id: 1 });
      const welcome = await a.next(byId(1));
      assert.equal(welcome.type, "welcome");
      assert.equal(welcome.resumed, false);
      assert.equal(typeof welcome.session, "string");
      assert.equal(typeof welcome.resume, "string");
      b.send({ type: "connect" });
      const welcomeB = await b.next((e) => e.type === "welcome");

      // subscribe, then publish with ack and receive the delivery
      b.send({ type: "subscribe", id: 2, topic: "chat.lobby" });
      const subscribed = await b.next(byId(2));
      assert.deepEqual(subscribed, {
        type: "subscribed",
        id: 2,
        topic: "chat.lobby",
        epoch: "e1",
        offset: 0,
      });
      a.send({ type: "publish", id: 3, topic: "chat.lobby", data: { text: "hi" }, ack: true });
      assert.deepEqual(await a.next(byId(3)), {
        type: "ack",
        id: 3,
        topic: "chat.lobby",
        epoch: "e1",
        offset: 1,
      });
      assert.deepEqual(await b.next((e) => e.type === "message"), {
        type: "message",
        topic: "chat.lobby",
        epoch: "e1",
        offset: 1,
        data: { text: "hi" },
      });

      // request / response, both directions
      a.send({ type: "request", id: 4, method: "sum", data: [1, 2, 3], timeout: 1_000 });
      assert.deepEqual(await a.next(byId(4)), { type: "response", id: 4, data: 6 });
      a.send({ type: "request", id: 5, method: "nope" });
      const missing = await a.next(byId(5));
      assert.equal(missing.error.code, "method_not_found");
      const called = router.request(welcomeB.session, "whoami", { ask: true });
      const request = await b.next((e) => e.type === "request");
      assert.equal(request.method, "whoami");
      assert.deepEqual(request.data, { ask: true });
      b.send({ type: "response", id: request.id, data: "b" });
      assert.equal(await called, "b");

      // presence: join, joined event to subscribers, list, leave, left event
      a.send({ type: "join", id: 6, topic: "chat.lobby", data: { name: "ada" } });
      assert.deepEqual(await a.next(byId(6)), { type: "ok", id: 6 });
      const member = { session: welcome.session, data: { name: "ada" } };
      assert.deepEqual(await b.next((e) => e.type === "joined"), {
        type: "joined",
        topic: "chat.lobby",
        member,
      });
      b.send({ type: "presence", id: 7, topic: "chat.lobby" });
      assert.deepEqual(await b.next(byId(7)), {
        type: "presence",
        id: 7,
        topic: "chat.lobby",
        members: [member],
      });
      a.send({ type: "leave", id: 8, topic: "chat.lobby" });
      assert.deepEqual(await a.next(byId(8)), { type: "ok", id: 8 });
      assert.equal((await b.next((e) => e.type === "left")).member.session, welcome.session);

      // recovery with since after a reconnection that resumes the session id
      b.close();
      await b.closed;
      for (const text of ["x", "y"]) {
        a.send({ type: "publish", topic: "chat.lobby", data: text });
      }
      a.send({ type: "publish", id: 9, topic: "chat.lobby", data: "z", ack: true });
      assert.equal((await a.next(byId(9))).offset, 4);
      const c = await open(server.url);
      peers.push(c);
      c.send({ type: "connect", id: 1, resume: welcomeB.resume });
      const resumed = await c.next(byId(1));
      assert.deepEqual([resumed.session, resumed.resumed], [welcomeB.session, true]);
      c.send({ type: "subscribe", id: 2, topic: "chat.lobby", since: { epoch: "e1", offset: 1 } });
      const recovered = await c.next(byId(2));
      assert.deepEqual([recovered.recovered, recovered.epoch, recovered.offset], [true, "e1", 4]);
      const missed = [await c.next(), await c.next(), await c.next()];
      assert.deepEqual(missed.map((m) => [m.type, m.offset, m.data]), [
        ["message", 2, "x"],
        ["message", 3, "y"],
        ["message", 4, "z"],
      ]);
      c.send({ type: "subscribe", id: 3, topic: "other", since: { epoch: "old", offset: 9 } });
      assert.equal((await c.next(byId(3))).recovered, false);

      // a bad envelope: an error envelope carrying the id; the connection stays open
      a.send({ type: "subscribe", id: 10 });
      const bad = await a.next(byId(10));
      assert.deepEqual([bad.type, bad.error.code], ["error", "bad_envelope"]);
      a.send({ type: "publish", id: 11, topic: "chat.*", ack: true });
      assert.equal((await a.next(byId(11))).error.code, "bad_topic");
      a.send({ type: "request", id: 12, method: "sum", data: [2, 2] });
      assert.equal((await a.next(byId(12))).data, 4);

      // invalid JSON: the connection is closed with 1007 bad_encoding
      a.sendText("{ not json");
      assert.deepEqual(await a.closed, { code: 1007, reason: "bad_encoding" });
      c.close();
      await c.closed;
    } finally {
      for (const peer of peers) peer.close();
      await server.shutdown();
    }
  });
}
