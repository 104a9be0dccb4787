import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import type { Connection } from "../../src/connection/connection.ts";
import { AERO_PROTOCOLS, createRouter } from "../../src/messaging/mod.ts";
import { observeSecurity, serveOps, ServerMetrics } from "../../src/observability/mod.ts";
import { apiKeyAuthenticator, ManualClock, Security } from "../../src/security/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { refusal } from "../auth/_server.ts";
import { AeroTestClient } from "../messaging/_aero_client.ts";
import { sample, scrape } from "./_scrape.ts";

const KEY = "k-0123456789";

Deno.test("observeSecurity counts auth rejections, rate-limit hits and bans in /metrics", async () => {
  const clock = new ManualClock(1_000_000);
  const security = new Security({
    clock,
    authenticate: {
      authenticators: apiKeyAuthenticator([{
        key: KEY,
        subject: "svc",
        claims: { permissions: ["publish:a"] },
      }]),
    },
    rateLimits: { publishesPerTopic: { capacity: 1, interval: 60_000 } },
    bans: { threshold: 3, window: 60_000, duration: 60_000 },
  });
  const metrics = new ServerMetrics();
  const stop = observeSecurity(security, metrics);
  await using router = createRouter({ security, metrics });
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    security,
    metrics,
    protocols: AERO_PROTOCOLS,
    keepalive: { pingInterval: 0, idleTimeout: 0 },
  }, (conn) => router.handle(conn));
  await using ops = serveOps({ port: 0, metrics });
  const base = `ws://127.0.0.1:${server.addr.port}`;
  assert.equal((await refusal(base)).status, 401);
  const forged = await refusal(base, { headers: { authorization: "Bearer k-wrong-key" } });
  assert.equal(forged.status, 401);
  const conn = await connect(base, {
    protocols: ["aero.v1.json"],
    headers: { authorization: `Bearer ${KEY}` },
  });
  const client = new AeroTestClient(conn as Connection, "aero.v1.json");
  client.send({ type: "connect" });
  await client.next();
  assert.equal((await client.call({ type: "publish", topic: "a", ack: true })).type, "ack");
  // The third violation from this address: refused, and the address is banned.
  const limited = await client.call({ type: "publish", topic: "a", ack: true });
  assert.equal(limited.error.code, "limit_exceeded");
  assert.equal((await refusal(base)).status, 403);

  const text = await scrape(`http://127.0.0.1:${ops.addr.port}/metrics`);
  const expected: Record<string, number> = {
    'aero_auth_rejections_total{reason="missing_token"}': 1,
    'aero_auth_rejections_total{reason="invalid_token"}': 1,
    'aero_rate_limit_rejections_total{scope="topic"}': 1,
    'aero_rate_limit_rejections_total{scope="ip"}': 0,
    'aero_rate_limit_rejections_total{scope="connection"}': 0,
    "aero_bans_total": 1,
    'aero_handshake_rejections_total{engine="streams",status="401",reason="unauthorized"}': 2,
    'aero_handshake_rejections_total{engine="streams",status="403",reason="forbidden"}': 1,
  };
  for (const [series, value] of Object.entries(expected)) {
    assert.equal(sample(text, series), value, series);
  }
  assert.equal(security.counters.bans, 1);
  // Once stopped, events no longer reach the metrics.
  stop();
  security.bans.ban("203.0.113.9", "by hand", 1_000);
  security.unban("127.0.0.1");
  assert.equal(metrics.bans, 1);
  await client.close();
  await server.shutdown();
});
