import assert from "node:assert/strict";
import { SignJWT } from "jose";
import {
  apiKeyAuthenticator,
  type AuditEvent,
  jwtAuthenticator,
  ManualClock,
  Security,
  type SecurityOptions,
} from "../../src/security/mod.ts";
import { ENGINES, open, refusal, startServer } from "./_server.ts";

const SECRET = new TextEncoder().encode("test-secret-test-secret-test-secret!");
const KEY = "k-0123456789";

function token(claims: Record<string, unknown> = {}, exp = Date.now() / 1000 + 60) {
  return new SignJWT({ sub: "alice", exp: Math.floor(exp), ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .sign(SECRET);
}

function policy(options: Partial<SecurityOptions> = {}, sources?: SecurityOptions["authenticate"]) {
  return new Security({
    bans: false,
    authenticate: sources ?? {
      authenticators: [
        jwtAuthenticator({ algorithms: ["HS256"], keys: [{ key: SECRET }] }),
        apiKeyAuthenticator([{ key: KEY, subject: "ingest" }]),
      ],
      sources: [{ type: "header" }, { type: "protocol" }],
    },
    ...options,
  });
}

for (const engine of ENGINES) {
  Deno.test(`Security (${engine}) answers 401 before the upgrade without a valid token`, async () => {
    const security = policy();
    const events: AuditEvent[] = [];
    security.audit.subscribe((event) => events.push(event));
    await using server = startServer(engine, security);
    const missing = await refusal(server.base);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
    const forged = await refusal(server.base, { headers: { authorization: "Bearer a.b.c" } });
    assert.equal(forged.status, 401);
    const expired = await token({}, Date.now() / 1000 - 60);
    const late = await refusal(server.base, { headers: { authorization: `Bearer ${expired}` } });
    assert.equal(late.status, 401);
    assert.equal(security.counters.authFailures, 3);
    assert.deepEqual(events.map((event) => [event.type, event.reason, event.ip]), [
      ["auth_failure", "missing token", "127.0.0.1"],
      ["auth_failure", "malformed token", "127.0.0.1"],
      ["auth_failure", "token expired", "127.0.0.1"],
    ]);
    assert.ok(
      events.every((event) => typeof event.connectionId === "string" && event.timestamp > 0),
    );
    assert.equal(server.accepted.length, 0);
  });

  Deno.test(`Security (${engine}) puts the claims in conn.data (Authorization header)`, async () => {
    await using server = startServer(engine, policy());
    const jwt = await token({ role: "admin" });
    const { conn, greeting } = await open(server.base, {
      headers: { authorization: `Bearer ${jwt}` },
    });
    const data = greeting.data as { subject: string; claims: { role: string }; method: string };
    assert.equal(data.subject, "alice");
    assert.equal(data.claims.role, "admin");
    assert.equal(data.method, "jwt");
    conn.close();
    await conn.closed;
  });

  Deno.test(`Security (${engine}) takes a token from Sec-WebSocket-Protocol and echoes only the real subprotocol`, async () => {
    await using server = startServer(engine, policy(), { protocols: ["aero.v1.json"] });
    const { conn, greeting } = await open(server.base, {
      protocols: ["aero.v1.json", `aero.auth.${KEY}`],
    });
    assert.equal(conn.info.protocol, "aero.v1.json");
    assert.equal(greeting.protocol, "aero.v1.json");
    assert.equal((greeting.data as { subject: string }).subject, "ingest");
    conn.close();
    await conn.closed;
  });

  Deno.test(`Security (${engine}) never selects a token entry even if the selector would`, async () => {
    await using server = startServer(engine, policy(), {
      protocols: (offered) => offered[offered.length - 1],
    });
    const { conn } = await open(server.base, { protocols: ["chat", `aero.auth.${KEY}`] });
    assert.equal(conn.info.protocol, "chat");
    conn.close();
    await conn.closed;
  });

  Deno.test(`Security (${engine}) ignores the query string unless configured`, async () => {
    await using server = startServer(engine, policy());
    assert.equal((await refusal(`${server.base}/?token=${KEY}`)).status, 401);
    const withQuery = policy({}, {
      authenticators: apiKeyAuthenticator([{ key: KEY, subject: "ingest" }]),
      sources: [{ type: "query", name: "token" }],
    });
    await using leaky = startServer(engine, withQuery);
    const { conn } = await open(`${leaky.base}/?token=${KEY}`);
    conn.close();
    await conn.closed;
  });

  Deno.test(`Security (${engine}) checks Origin by default with cookie auth`, async () => {
    const security = policy({}, {
      authenticators: apiKeyAuthenticator([{ key: KEY, subject: "web" }]),
      sources: [{ type: "cookie", name: "session" }],
    });
    await using server = startServer(engine, security);
    const cookie = { cookie: `session=${KEY}` };
    const sameOrigin = `http://127.0.0.1:${server.port}`;
    const { conn } = await open(server.base, { headers: cookie, origin: sameOrigin });
    conn.close();
    await conn.closed;
    const evil = await refusal(server.base, { headers: cookie, origin: "https://evil.example" });
    assert.equal(evil.status, 403);
    const missing = await refusal(server.base, { headers: cookie });
    assert.equal(missing.status, 403);
    assert.equal(security.counters.originRejections, 2);
  });

  Deno.test(`Security (${engine}) applies an Origin allow-list with patterns`, async () => {
    const security = new Security({ bans: false, origins: ["https://*.example.com"] });
    await using server = startServer(engine, security);
    const { conn } = await open(server.base, { origin: "https://app.example.com" });
    conn.close();
    await conn.closed;
    assert.equal((await refusal(server.base, { origin: "https://example.com.evil" })).status, 403);
  });

  Deno.test(`Security (${engine}) checks the CSRF token with cookie auth`, async () => {
    const security = policy({ csrf: true, origins: ["https://app.example"] }, {
      authenticators: apiKeyAuthenticator([{ key: KEY, subject: "web" }]),
      sources: [{ type: "cookie", name: "session" }],
    });
    await using server = startServer(engine, security);
    const options = {
      origin: "https://app.example",
      headers: { cookie: `session=${KEY}; csrf=c5rf` },
    };
    const { conn } = await open(`${server.base}/?csrf=c5rf`, options);
    conn.close();
    await conn.closed;
    assert.equal((await refusal(`${server.base}/?csrf=nope`, options)).status, 403);
    assert.equal(security.counters.csrfRejections, 1);
  });

  Deno.test(`Security (${engine}) closes with 1008 when the token expires, unless refreshed`, async () => {
    const start = Date.now();
    const clock = new ManualClock(start);
    const security = new Security({
      bans: false,
      clock,
      authenticate: {
        authenticators: jwtAuthenticator({ algorithms: ["HS256"], keys: [{ key: SECRET }], clock }),
      },
    });
    const events: string[] = [];
    security.audit.subscribe((event) => events.push(event.type));
    await using server = startServer(engine, security);
    const headers = { authorization: `Bearer ${await token({}, start / 1000 + 30)}` };
    const first = await open(server.base, { headers });
    const second = await open(server.base, { headers });
    const [kept] = server.accepted.filter((conn) => conn.info.headers !== undefined);
    const session = security.session(kept!);
    assert.ok(session);
    // A refresh with another subject is refused; with the same subject it moves the expiry.
    const other = await session.refresh(await token({ sub: "mallory" }, start / 1000 + 600));
    assert.deepEqual(other, { ok: false, status: 403, reason: "subject changed" });
    const refreshed = await session.refresh(await token({}, start / 1000 + 600));
    assert.equal(refreshed.ok, true);
    clock.advance(31_000);
    const closed = await Promise.race([first.conn.closed, second.conn.closed]);
    assert.equal(closed.code, 1008);
    assert.equal(closed.reason, "token expired");
    assert.equal(security.counters.tokensExpired, 1);
    assert.ok(events.includes("token_expired"));
    const survivor = first.conn.readyState === 1 ? first.conn : second.conn;
    assert.equal(survivor.readyState, 1);
    survivor.close();
    await survivor.closed;
  });
}
