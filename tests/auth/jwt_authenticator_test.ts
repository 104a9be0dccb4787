import assert from "node:assert/strict";
import { exportJWK, exportSPKI, generateKeyPair, generateSecret, type JWK, SignJWT } from "jose";
import {
  type AuthResult,
  type JwtAlgorithm,
  jwtAuthenticator,
  ManualClock,
} from "../../src/security/mod.ts";

const NOW = Date.UTC(2030, 0, 1);
const context = { request: new Request("http://127.0.0.1/"), ip: "127.0.0.1", now: NOW };

function sign(
  key: Parameters<SignJWT["sign"]>[0],
  alg: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ sub: "alice", exp: NOW / 1000 + 60, ...claims })
    .setProtectedHeader({ alg, ...header })
    .sign(key);
}

function reason(result: AuthResult): string {
  return result.ok ? "ok" : result.reason;
}

const ASYMMETRIC: JwtAlgorithm[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

Deno.test("jwtAuthenticator accepts every supported algorithm with its own key type", async (t) => {
  const clock = new ManualClock(NOW);
  for (const alg of ["HS256", "HS384", "HS512"] as const) {
    await t.step(alg, async () => {
      const secret = crypto.getRandomValues(new Uint8Array(64));
      const auth = jwtAuthenticator({ algorithms: [alg], keys: [{ key: secret }], clock });
      const result = await auth.authenticate(await sign(secret, alg), context);
      assert.equal(result.ok && result.principal.subject, "alice");
    });
  }
  for (const alg of ASYMMETRIC) {
    await t.step(alg, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const auth = jwtAuthenticator({ algorithms: [alg], keys: [{ key: publicKey }], clock });
      const result = await auth.authenticate(await sign(privateKey, alg), context);
      assert.equal(reason(result), "ok");
      assert.equal(result.ok && result.principal.expiresAt, NOW + 60_000);
    });
  }
});

Deno.test("jwtAuthenticator refuses forged, expired, early, wrong-issuer and wrong-audience tokens", async () => {
  const clock = new ManualClock(NOW);
  const secret = await generateSecret("HS256", { extractable: true });
  const auth = jwtAuthenticator({
    algorithms: ["HS256"],
    keys: [{ key: secret }],
    issuer: "https://issuer.example",
    audience: "chat",
    clockTolerance: 5,
    clock,
  });
  const good = { iss: "https://issuer.example", aud: "chat" };
  assert.equal(reason(await auth.authenticate(await sign(secret, "HS256", good), context)), "ok");
  const other = await generateSecret("HS256");
  const forged = await sign(other, "HS256", good);
  assert.equal(reason(await auth.authenticate(forged, context)), "invalid signature");
  const expired = await sign(secret, "HS256", { ...good, exp: NOW / 1000 - 6 });
  assert.equal(reason(await auth.authenticate(expired, context)), "token expired");
  // Within the clock skew: still accepted.
  const skewed = await sign(secret, "HS256", { ...good, exp: NOW / 1000 - 4 });
  assert.equal(reason(await auth.authenticate(skewed, context)), "ok");
  const early = await sign(secret, "HS256", { ...good, nbf: NOW / 1000 + 30 });
  assert.match(reason(await auth.authenticate(early, context)), /invalid claim nbf/);
  const issuer = await sign(secret, "HS256", { ...good, iss: "https://evil.example" });
  assert.match(reason(await auth.authenticate(issuer, context)), /invalid claim iss/);
  const audience = await sign(secret, "HS256", { ...good, aud: "billing" });
  assert.match(reason(await auth.authenticate(audience, context)), /invalid claim aud/);
  const noExp = await new SignJWT({ ...good }).setProtectedHeader({ alg: "HS256" }).sign(secret);
  assert.match(reason(await auth.authenticate(noExp, context)), /invalid claim exp/);
  assert.equal(reason(await auth.authenticate("not.a.jwt", context)), "malformed token");
});

Deno.test("jwtAuthenticator refuses alg none", async () => {
  const { publicKey } = await generateKeyPair("RS256");
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const b64 = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const none = `${b64({ alg: "none", typ: "JWT" })}.${
    b64({ sub: "admin", exp: NOW / 1000 + 60 })
  }.`;
  const clock = new ManualClock(NOW);
  for (const key of [publicKey, secret]) {
    const alg = key instanceof Uint8Array ? "HS256" : "RS256";
    const auth = jwtAuthenticator({ algorithms: [alg], keys: [{ key }], clock });
    const result = await auth.authenticate(none, context);
    assert.equal(result.ok, false);
  }
  assert.throws(
    () => jwtAuthenticator({ algorithms: ["none" as JwtAlgorithm], keys: [{ key: secret }] }),
    TypeError,
  );
});

Deno.test("jwtAuthenticator refuses an RS256 public key used as an HS256 secret", async () => {
  const { publicKey } = await generateKeyPair("RS256", { extractable: true });
  const pem = await exportSPKI(publicKey);
  // The classic attack: sign HS256 with the (public) PEM text as the HMAC secret.
  const attack = await sign(new TextEncoder().encode(pem), "HS256", { sub: "admin" });
  const clock = new ManualClock(NOW);
  // Even if HS256 is (wrongly) listed, an RSA key only verifies RS algorithms.
  const auth = jwtAuthenticator({
    algorithms: ["RS256", "HS256"],
    keys: [{ key: publicKey }],
    clock,
  });
  assert.equal(reason(await auth.authenticate(attack, context)), "algorithm not allowed");
  const pinned = jwtAuthenticator({ algorithms: ["RS256"], keys: [{ key: publicKey }], clock });
  assert.equal(reason(await pinned.authenticate(attack, context)), "algorithm not allowed");
});

Deno.test("jwtAuthenticator picks keys by kid", async () => {
  const a = await generateKeyPair("ES256");
  const b = await generateKeyPair("EdDSA");
  const auth = jwtAuthenticator({
    algorithms: ["ES256", "EdDSA"],
    keys: [{ key: a.publicKey, kid: "a" }, { key: b.publicKey, kid: "b" }],
    clock: new ManualClock(NOW),
  });
  assert.equal(
    reason(await auth.authenticate(await sign(b.privateKey, "EdDSA", {}, { kid: "b" }), context)),
    "ok",
  );
  const wrongKid = await sign(b.privateKey, "EdDSA", {}, { kid: "a" });
  assert.equal(reason(await auth.authenticate(wrongKid, context)), "algorithm not allowed");
  const unknown = await sign(b.privateKey, "EdDSA", {}, { kid: "z" });
  assert.equal(reason(await auth.authenticate(unknown, context)), "no matching key");
});

Deno.test("jwtAuthenticator fetches a JWKS once and caches it", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let fetches = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    fetches++;
    return Response.json({ keys: [jwk] });
  });
  try {
    const auth = jwtAuthenticator({
      algorithms: ["RS256", "HS256"],
      jwksUrl: `http://127.0.0.1:${server.addr.port}/.well-known/jwks.json`,
      jwks: { timeoutDuration: 2_000 },
      clock: new ManualClock(NOW),
    });
    const token = await sign(privateKey, "RS256", {}, { kid: "k1" });
    assert.equal(reason(await auth.authenticate(token, context)), "ok");
    assert.equal(reason(await auth.authenticate(token, context)), "ok");
    assert.equal(fetches, 1);
    // A symmetric alg never resolves to a JWKS key.
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const hs = await sign(secret, "HS256", {}, { kid: "k1" });
    assert.equal(reason(await auth.authenticate(hs, context)), "no matching key");
  } finally {
    await server.shutdown();
  }
});

Deno.test("jwtAuthenticator answers 503 when the JWKS cannot be fetched", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const { privateKey } = await generateKeyPair("ES256");
  const auth = jwtAuthenticator({
    algorithms: ["ES256"],
    jwksUrl: `http://127.0.0.1:${port}/jwks`,
    jwks: { timeoutDuration: 1_000 },
    clock: new ManualClock(NOW),
  });
  const result = await auth.authenticate(
    await sign(privateKey, "ES256", {}, { kid: "x" }),
    context,
  );
  assert.deepEqual(result, { ok: false, status: 503, reason: "key set unavailable" });
});
