import assert from "node:assert/strict";
import {
  apiKeyAuthenticator,
  type AuditEvent,
  ManualClock,
  Security,
} from "../../src/security/mod.ts";
import { ENGINES, open, refusal, startServer } from "../auth/_server.ts";

const KEY = "k-0123456789";
const OFF = {
  upgradesPerIp: null,
  connectionsPerIp: null,
  messagesPerConnection: null,
  bytesPerConnection: null,
} as const;

for (const engine of ENGINES) {
  Deno.test(`Security (${engine}) answers 429 with Retry-After beyond the upgrades per IP`, async () => {
    const clock = new ManualClock(Date.now());
    const security = new Security({
      bans: false,
      clock,
      rateLimits: { ...OFF, upgradesPerIp: { capacity: 2, interval: 10_000 } },
    });
    const events: AuditEvent[] = [];
    security.audit.subscribe((event) => events.push(event));
    await using server = startServer(engine, security);
    for (let i = 0; i < 2; i++) {
      const { conn } = await open(server.base);
      conn.close();
      await conn.closed;
    }
    const limited = await refusal(server.base);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "5");
    assert.equal(security.counters.upgradesLimited, 1);
    assert.deepEqual(events.map((e) => [e.type, e.limit, e.status]), [
      ["rate_limit", "upgradesPerIp", 429],
    ]);
    clock.advance(5_000);
    const { conn } = await open(server.base);
    conn.close();
    await conn.closed;
  });

  Deno.test(`Security (${engine}) answers 429 beyond the concurrent connections per IP`, async () => {
    const security = new Security({ bans: false, rateLimits: { ...OFF, connectionsPerIp: 2 } });
    await using server = startServer(engine, security);
    const a = await open(server.base);
    const b = await open(server.base);
    assert.equal((await refusal(server.base)).status, 429);
    assert.equal(security.counters.connectionsLimited, 1);
    a.conn.close();
    await a.conn.closed;
    await server.accepted[0]!.closed;
    const c = await open(server.base);
    for (const { conn } of [b, c]) {
      conn.close();
      await conn.closed;
    }
  });

  Deno.test(`Security (${engine}) applies the global cap`, async () => {
    const clock = new ManualClock(Date.now());
    const security = new Security({
      bans: false,
      clock,
      rateLimits: { ...OFF, global: { capacity: 1, interval: 1_000 } },
    });
    await using server = startServer(engine, security);
    const { conn } = await open(server.base);
    const limited = await refusal(server.base);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "1");
    assert.equal(security.counters.globalLimited, 1);
    conn.close();
    await conn.closed;
  });

  Deno.test(`Security (${engine}) closes with 1008 beyond the messages per connection`, async () => {
    const clock = new ManualClock(Date.now());
    const security = new Security({
      bans: false,
      clock,
      rateLimits: { ...OFF, messagesPerConnection: { capacity: 3, interval: 1_000 } },
    });
    await using server = startServer(engine, security);
    const { conn } = await open(server.base);
    const echoes = conn[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) {
      conn.send(`m${i}`);
      assert.deepEqual((await echoes.next()).value, { type: "text", data: `m${i}` });
    }
    conn.send("one too many");
    const closed = await conn.closed;
    assert.equal(closed.code, 1008);
    assert.equal(closed.reason, "rate limit exceeded");
    assert.equal(security.counters.messagesLimited, 1);
  });

  Deno.test(`Security (${engine}) closes with 1008 beyond the bytes per connection`, async () => {
    const security = new Security({
      bans: false,
      rateLimits: { ...OFF, bytesPerConnection: { capacity: 1_000, interval: 60_000 } },
    });
    await using server = startServer(engine, security);
    const { conn } = await open(server.base);
    conn.send(new Uint8Array(600));
    conn.send(new Uint8Array(600));
    assert.equal((await conn.closed).code, 1008);
    assert.equal(security.counters.bytesLimited, 1);
  });

  Deno.test(`Security (${engine}) counts text in UTF-8 bytes against the byte limit`, async () => {
    const security = new Security({
      bans: false,
      rateLimits: { ...OFF, bytesPerConnection: { capacity: 1_000, interval: 60_000 } },
    });
    await using server = startServer(engine, security);
    const { conn } = await open(server.base);
    // 300 characters, 900 bytes: within the limit.
    conn.send("€".repeat(300));
    // 50 characters, 150 bytes more: over 1,000 bytes though only 350 UTF-16 units.
    conn.send("€".repeat(50));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"not closed">((resolve) => {
      timer = setTimeout(() => resolve("not closed"), 5_000);
    });
    const closed = await Promise.race([conn.closed, late]);
    clearTimeout(timer);
    if (closed === "not closed") conn.close();
    assert.notEqual(closed, "not closed", "the byte limit did not close the connection");
    assert.equal((closed as { code: number }).code, 1008);
    assert.equal(security.counters.bytesLimited, 1);
  });

  Deno.test(`Security (${engine}) bans repeated offenders for a growing period, and unbans`, async () => {
    const clock = new ManualClock(Date.now());
    const security = new Security({
      clock,
      bans: { threshold: 2, duration: 60_000, factor: 2 },
      rateLimits: OFF,
      authenticate: { authenticators: apiKeyAuthenticator([{ key: KEY, subject: "svc" }]) },
    });
    const types: string[] = [];
    security.audit.subscribe((event) => types.push(event.type));
    await using server = startServer(engine, security);
    const good = { headers: { authorization: `Bearer ${KEY}` } };
    assert.equal((await refusal(server.base)).status, 401);
    assert.equal((await refusal(server.base)).status, 401);
    // Banned now: even a valid credential is refused.
    assert.equal((await refusal(server.base, good)).status, 403);
    const [first] = security.bans.list();
    assert.equal(first?.ip, "127.0.0.1");
    assert.equal(first!.until - first!.since, 60_000);
    clock.advance(60_000);
    assert.equal((await refusal(server.base)).status, 401);
    assert.equal((await refusal(server.base)).status, 401);
    const [second] = security.bans.list();
    assert.equal(second!.until - second!.since, 120_000);
    assert.equal(security.unban("127.0.0.1"), true);
    const { conn } = await open(server.base, good);
    conn.close();
    await conn.closed;
    assert.deepEqual(types, [
      "auth_failure",
      "auth_failure",
      "ban",
      "auth_failure",
      "auth_failure",
      "ban",
      "ban_lifted",
    ]);
    assert.equal(security.counters.bans, 2);
    assert.equal(security.counters.bannedRejections, 1);
  });

  Deno.test(`Security (${engine}) uses X-Forwarded-For only from a trusted proxy`, async () => {
    const headers = { "x-forwarded-for": "203.0.113.50" };
    const untrusted = new Security({ bans: { threshold: 1 }, origins: ["https://ok.example"] });
    await using a = startServer(engine, untrusted);
    assert.equal((await refusal(a.base, { headers })).status, 403);
    assert.deepEqual(untrusted.bans.list().map((ban) => ban.ip), ["127.0.0.1"]);
    const trusted = new Security({
      bans: { threshold: 1 },
      origins: ["https://ok.example"],
      trustedProxies: { addresses: ["127.0.0.1"] },
    });
    await using b = startServer(engine, trusted);
    assert.equal((await refusal(b.base, { headers })).status, 403);
    assert.deepEqual(trusted.bans.list().map((ban) => ban.ip), ["203.0.113.50"]);
  });
}

Deno.test("Security limits publishes per topic for the router", () => {
  const clock = new ManualClock();
  const security = new Security({ clock, rateLimits: { publishesPerTopic: { capacity: 2 } } });
  const events: AuditEvent[] = [];
  security.audit.subscribe((event) => events.push(event));
  assert.equal(security.allowPublish("chat.a"), true);
  assert.equal(security.allowPublish("chat.a"), true);
  assert.equal(security.allowPublish("chat.a"), false);
  assert.equal(security.allowPublish("chat.b"), true);
  assert.equal(security.counters.publishesLimited, 1);
  assert.equal(events[0]?.limit, "publishesPerTopic");
});

Deno.test("Security streams audit events to async iterators", async () => {
  const security = new Security({ bans: false, origins: [] });
  const controller = new AbortController();
  const iterator = security.audit.events({ signal: controller.signal });
  await using server = startServer("streams", security);
  assert.equal((await refusal(server.base, { origin: "https://x.example" })).status, 403);
  const { value } = await iterator.next();
  assert.equal(value?.type, "origin_rejected");
  assert.equal(value?.status, 403);
  assert.match(value?.reason ?? "", /https:\/\/x\.example/);
  controller.abort();
  assert.equal((await iterator.next()).done, true);
});
