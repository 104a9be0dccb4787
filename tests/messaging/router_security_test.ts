import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import type { Connection } from "../../src/connection/connection.ts";
import { AERO_PROTOCOLS, createRouter } from "../../src/messaging/mod.ts";
import {
  type AuditEvent,
  customAuthenticator,
  ManualClock,
  Security,
  type SecurityOptions,
} from "../../src/security/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { AeroTestClient } from "./_aero_client.ts";

interface Grant {
  subject: string;
  permissions: string[];
  /** Milliseconds from the clock's start until the token expires. */
  lifetime?: number;
}

const START = 1_000_000;

const TOKENS: Record<string, Grant> = {
  "t-alice": {
    subject: "alice",
    permissions: ["subscribe:chat.>", "publish:chat.*", "presence:chat.lobby", "rpc:add"],
  },
  "t-bob": { subject: "bob", permissions: ["subscribe:news"] },
  "t-short": { subject: "carol", permissions: ["rpc:add"], lifetime: 1_000 },
  "t-long": { subject: "carol", permissions: ["rpc:add"], lifetime: 100_000 },
  "t-mallory": { subject: "mallory", permissions: ["rpc:add"], lifetime: 100_000 },
};

function start(options: Partial<SecurityOptions> = {}) {
  const clock = new ManualClock(START);
  const security = new Security({
    clock,
    bans: false,
    authenticate: {
      authenticators: customAuthenticator("test", (token) => {
        const grant = TOKENS[token];
        if (grant === undefined) return { ok: false, status: 401, reason: "unknown token" };
        const expiresAt = grant.lifetime === undefined ? undefined : START + grant.lifetime;
        return {
          ok: true,
          principal: {
            subject: grant.subject,
            claims: { permissions: grant.permissions },
            expiresAt,
            method: "test",
          },
        };
      }),
    },
    ...options,
  });
  const events: AuditEvent[] = [];
  security.audit.subscribe((event) => events.push(event));
  const router = createRouter({ security });
  router.method("add", ({ data }) => (data as number[]).reduce((a, b) => a + b, 0));
  router.method("admin.reset", () => "reset");
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    security,
    protocols: AERO_PROTOCOLS,
    keepalive: { pingInterval: 0, idleTimeout: 0 },
  }, (conn) => router.handle(conn));
  const clients: AeroTestClient[] = [];
  return {
    clock,
    security,
    events,
    router,
    async open(token: string): Promise<AeroTestClient> {
      const conn = await connect(`ws://127.0.0.1:${server.addr.port}`, {
        protocols: ["aero.v1.json"],
        headers: { authorization: `Bearer ${token}` },
      });
      const client = new AeroTestClient(conn as Connection, "aero.v1.json");
      clients.push(client);
      client.send({ type: "connect" });
      assert.equal((await client.next()).type, "welcome");
      return client;
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.conn.close();
      await Promise.all(clients.map((client) => client.done));
      await server.shutdown();
      await router.close();
    },
  };
}

Deno.test("Router with security allows and refuses subscriptions by permission", async () => {
  await using setup = start();
  const alice = await setup.open("t-alice");
  assert.equal((await alice.call({ type: "subscribe", topic: "chat.lobby" })).type, "subscribed");
  assert.equal((await alice.call({ type: "subscribe", topic: "chat.>" })).type, "subscribed");
  const denied = await alice.call({ type: "subscribe", topic: "admin.log" });
  assert.equal(denied.type, "error");
  assert.equal(denied.error.code, "forbidden");
  // A pattern is allowed only when every topic it matches is.
  const wide = await alice.call({ type: "subscribe", topic: "*.lobby" });
  assert.equal(wide.error.code, "forbidden");
  assert.equal(setup.security.counters.permissionDenials, 2);
  const audited = setup.events.filter((event) => event.type === "permission_denied");
  assert.deepEqual(audited.map((event) => [event.reason, event.subject]), [
    ["subscribe admin.log", "alice"],
    ["subscribe *.lobby", "alice"],
  ]);
});

Deno.test("Router with security allows and refuses publishes by permission", async () => {
  await using setup = start();
  const alice = await setup.open("t-alice");
  const bob = await setup.open("t-bob");
  await alice.call({ type: "subscribe", topic: "chat.lobby" });
  const ack = await alice.call({ type: "publish", topic: "chat.lobby", data: "hi", ack: true });
  assert.equal(ack.type, "ack");
  // The delivery precedes the ack (PROTOCOL.md §7), so it is among the envelopes already read.
  assert.equal(alice.received.find((e) => e.type === "message")?.data, "hi");
  const refused = await bob.call({ type: "publish", topic: "chat.lobby", data: "x", ack: true });
  assert.equal(refused.error.code, "forbidden");
  const deep = await alice.call({ type: "publish", topic: "chat.a.b", data: "x", ack: true });
  assert.equal(deep.error.code, "forbidden");
  assert.deepEqual(
    setup.events.filter((event) => event.type === "permission_denied").map((e) => e.reason),
    ["publish chat.lobby", "publish chat.a.b"],
  );
});

Deno.test("Router with security checks presence permissions on join and presence", async () => {
  await using setup = start();
  const alice = await setup.open("t-alice");
  const bob = await setup.open("t-bob");
  assert.equal((await alice.call({ type: "join", topic: "chat.lobby" })).type, "ok");
  assert.equal((await alice.call({ type: "join", topic: "chat.other" })).error.code, "forbidden");
  const members = await alice.call({ type: "presence", topic: "chat.lobby" });
  assert.equal(members.members.length, 1);
  assert.equal((await bob.call({ type: "join", topic: "chat.lobby" })).error.code, "forbidden");
  assert.equal(
    (await bob.call({ type: "presence", topic: "chat.lobby" })).error.code,
    "forbidden",
  );
  // Leaving is never refused.
  assert.equal((await bob.call({ type: "leave", topic: "chat.lobby" })).type, "ok");
  assert.deepEqual(
    setup.events.filter((event) => event.type === "permission_denied").map((e) => e.reason),
    ["presence chat.other", "presence chat.lobby", "presence chat.lobby"],
  );
});

Deno.test("Router with security checks RPC permissions before the method lookup", async () => {
  await using setup = start();
  const alice = await setup.open("t-alice");
  const sum = await alice.call({ type: "request", method: "add", data: [1, 2] });
  assert.deepEqual(sum, { type: "response", id: sum.id, data: 3 });
  const admin = await alice.call({ type: "request", method: "admin.reset" });
  assert.equal(admin.error.code, "forbidden");
  const unknown = await alice.call({ type: "request", method: "nope" });
  assert.equal(unknown.error.code, "forbidden");
  assert.deepEqual(
    setup.events.filter((event) => event.type === "permission_denied").map((e) => e.reason),
    ["rpc admin.reset", "rpc nope"],
  );
});

Deno.test("Router with security answers limit_exceeded past the topic's publish rate", async () => {
  await using setup = start({
    rateLimits: { publishesPerTopic: { capacity: 2, interval: 60_000 } },
  });
  const alice = await setup.open("t-alice");
  for (const n of [1, 2]) {
    const ack = await alice.call({ type: "publish", topic: "chat.lobby", data: n, ack: true });
    assert.equal(ack.type, "ack");
    assert.equal(ack.offset, n);
  }
  const limited = await alice.call({ type: "publish", topic: "chat.lobby", data: 3, ack: true });
  assert.equal(limited.type, "error");
  assert.equal(limited.error.code, "limit_exceeded");
  // Another topic has its own bucket.
  assert.equal(
    (await alice.call({ type: "publish", topic: "chat.other", data: 1, ack: true })).type,
    "ack",
  );
  assert.equal(setup.security.counters.publishesLimited, 1);
  const event = setup.events.find((event) => event.type === "rate_limit");
  assert.equal(event?.limit, "publishesPerTopic");
  // The refused publication was not stored: the next offset is still 3.
  setup.clock.advance(60_000);
  const later = await alice.call({ type: "publish", topic: "chat.lobby", data: 4, ack: true });
  assert.equal(later.offset, 3);
});

Deno.test("Router with security closes with 1008 when the token expires without refresh", async () => {
  await using setup = start();
  const carol = await setup.open("t-short");
  assert.equal((await carol.call({ type: "request", method: "add", data: [1] })).data, 1);
  setup.clock.advance(1_000);
  const closed = await carol.conn.closed;
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, "token expired");
  assert.equal(setup.security.counters.tokensExpired, 1);
});

Deno.test("Router with security extends the session on a refresh envelope", async () => {
  await using setup = start();
  const carol = await setup.open("t-short");
  // Refused refreshes change nothing.
  const unknown = await carol.call({ type: "refresh", token: "t-nope" });
  assert.deepEqual(unknown.error, { code: "forbidden", message: "Cannot refresh: unknown token" });
  const other = await carol.call({ type: "refresh", token: "t-mallory" });
  assert.equal(other.error.code, "forbidden");
  assert.match(other.error.message, /subject changed/);
  const empty = await carol.call({ type: "refresh", token: "" });
  assert.equal(empty.error.code, "bad_envelope");
  assert.deepEqual(await carol.call({ type: "refresh", token: "t-long" }), {
    type: "ok",
    id: 4,
  });
  setup.clock.advance(50_000);
  assert.equal((await carol.call({ type: "request", method: "add", data: [2, 3] })).data, 5);
  assert.equal(setup.security.counters.tokensExpired, 0);
  setup.clock.advance(50_000);
  assert.equal((await carol.conn.closed).code, 1008);
  assert.equal(setup.security.counters.refreshFailures, 2);
});

Deno.test("Router without security answers refresh with forbidden", async () => {
  await using router = createRouter();
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    protocols: AERO_PROTOCOLS,
  }, (conn) => router.handle(conn));
  const conn = await connect(`ws://127.0.0.1:${server.addr.port}`, {
    protocols: ["aero.v1.json"],
  });
  const client = new AeroTestClient(conn as Connection, "aero.v1.json");
  client.send({ type: "connect" });
  await client.next();
  const answer = await client.call({ type: "refresh", token: "anything" });
  assert.equal(answer.error.code, "forbidden");
  await client.close();
  await server.shutdown();
});

Deno.test("Router with security refuses everything to a connection the policy did not accept", async () => {
  const security = new Security({ bans: false });
  await using router = createRouter({ security });
  router.method("add", () => 0);
  // A server without the policy: its connections have no security session.
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    protocols: AERO_PROTOCOLS,
  }, (conn) => router.handle(conn));
  const conn = await connect(`ws://127.0.0.1:${server.addr.port}`, {
    protocols: ["aero.v1.json"],
  });
  const client = new AeroTestClient(conn as Connection, "aero.v1.json");
  client.send({ type: "connect" });
  await client.next();
  assert.equal((await client.call({ type: "subscribe", topic: "a" })).error.code, "forbidden");
  assert.equal((await client.call({ type: "request", method: "add" })).error.code, "forbidden");
  assert.equal(security.counters.permissionDenials, 2);
  await client.close();
  await server.shutdown();
});
