import {
  createRemoteJWKSet,
  type CryptoKey as JoseCryptoKey,
  errors,
  type JWTHeaderParameters,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { type Clock, SYSTEM_CLOCK } from "../limits/clock.ts";
import type { Authenticator, AuthResult } from "./principal.ts";

/** The JWS algorithms a {@linkcode jwtAuthenticator} can accept (never `none`). */
export const JWT_ALGORITHMS = [
  "HS256",
  "HS384",
  "HS512",
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
] as const;

/** One of {@linkcode JWT_ALGORITHMS}. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/**
 * A Web Crypto `CryptoKey`, typed structurally so that Deno's and Node.js's definitions both fit.
 */
export interface WebCryptoKey {
  /** The key's algorithm (`RSASSA-PKCS1-v1_5`, `RSA-PSS`, `ECDSA`, `Ed25519`, `HMAC`). */
  readonly algorithm: { readonly name: string };
  /** `"public"`, `"private"` or `"secret"`. */
  readonly type: string;
}

/** A verification key: a `CryptoKey`, or the raw secret of an HMAC key. */
export interface JwtKey {
  /** Public key (RSA, RSA-PSS, ECDSA, Ed25519) or HMAC key; raw bytes mean an HMAC secret. */
  key: WebCryptoKey | Uint8Array;
  /** Key id; required when there is more than one key, matched against the token's `kid`. */
  kid?: string;
}

/** Options for {@linkcode jwtAuthenticator}. */
export interface JwtAuthenticatorOptions {
  /** Accepted algorithms: required, so a token can never choose its own. */
  algorithms: readonly JwtAlgorithm[];
  /** Local keys. @default {[]} */
  keys?: readonly JwtKey[];
  /** A JWKS URL, fetched on demand and cached (asymmetric algorithms only). @default {undefined} */
  jwksUrl?: string | URL;
  /** JWKS cache settings (milliseconds). @default {{ cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 5_000 }} */
  jwks?: { cacheMaxAge?: number; cooldownDuration?: number; timeoutDuration?: number };
  /** Required `iss`. @default {undefined} (not checked) */
  issuer?: string | readonly string[];
  /** Required `aud`. @default {undefined} (not checked) */
  audience?: string | readonly string[];
  /** Clock skew allowed for `exp`, `nbf` and `iat`, in seconds. @default {5} */
  clockTolerance?: number;
  /** Most seconds since `iat` (also requires `iat`). @default {undefined} */
  maxTokenAge?: number;
  /** Claims that must be present. @default {["exp"]} */
  requiredClaims?: readonly string[];
  /** The clock (for `exp`/`nbf`). @default {SYSTEM_CLOCK} */
  clock?: Clock;
}

// Algorithms a key may verify, from its type: this is what stops algorithm confusion (an RSA
// public key used as an HMAC secret) whatever `algorithms` says.
function _familyOf(key: WebCryptoKey | Uint8Array): readonly string[] {
  if (key instanceof Uint8Array) return ["HS256", "HS384", "HS512"];
  switch (key.algorithm.name) {
    case "HMAC":
      return ["HS256", "HS384", "HS512"];
    case "RSASSA-PKCS1-v1_5":
      return ["RS256", "RS384", "RS512"];
    case "RSA-PSS":
      return ["PS256", "PS384", "PS512"];
    case "ECDSA":
      return ["ES256", "ES384", "ES512"];
    case "Ed25519":
    case "EdDSA":
      return ["EdDSA", "Ed25519"];
    default:
      return [];
  }
}

/**
 * Verifies JWTs with `npm:jose`: signature with a pinned algorithm list (per key type, so
 * `alg: none` and HS/RS confusion are refused), `exp`/`nbf` with clock skew, `iss`, `aud`.
 * Keys are local or come from a cached remote JWKS. The payload becomes the principal's claims.
 *
 * @example HS256
 * ```ts
 * import { jwtAuthenticator } from "@aero/socket/security";
 * import { SignJWT } from "jose";
 * import assert from "node:assert/strict";
 *
 * const secret = new TextEncoder().encode("a-secret-of-at-least-32-bytes-long!!");
 * const auth = jwtAuthenticator({ algorithms: ["HS256"], keys: [{ key: secret }], audience: "chat" });
 * const token = await new SignJWT({ role: "admin" })
 *   .setProtectedHeader({ alg: "HS256" }).setSubject("alice").setAudience("chat")
 *   .setExpirationTime("5m").sign(secret);
 * const context = { request: new Request("http://localhost/"), ip: "127.0.0.1", now: Date.now() };
 * const result = await auth.authenticate(token, context);
 * assert.equal(result.ok && result.principal.claims.role, "admin");
 * const none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.";
 * assert.equal((await auth.authenticate(none, context)).ok, false);
 * ```
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  const algorithms = [...options.algorithms];
  if (algorithms.length === 0) throw new TypeError("Cannot verify JWTs: no algorithms allowed");
  for (const alg of algorithms) {
    if (!(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new TypeError(`Cannot verify JWTs: unsupported algorithm ${String(alg)}`);
    }
  }
  const keys = options.keys ?? [];
  if (keys.length === 0 && options.jwksUrl === undefined) {
    throw new TypeError("Cannot verify JWTs: no keys and no jwksUrl");
  }
  if (keys.length > 1 && keys.some((key) => key.kid === undefined)) {
    throw new TypeError("Cannot verify JWTs: every key needs a kid when there are several");
  }
  const remote = options.jwksUrl === undefined ? undefined : createRemoteJWKSet(
    new URL(options.jwksUrl),
    {
      cacheMaxAge: options.jwks?.cacheMaxAge ?? 600_000,
      cooldownDuration: options.jwks?.cooldownDuration ?? 30_000,
      timeoutDuration: options.jwks?.timeoutDuration ?? 5_000,
    },
  );
  const getKey = _keyResolver(keys, algorithms, remote);
  const clock = options.clock ?? SYSTEM_CLOCK;
  return {
    name: "jwt",
    async authenticate(token: string): Promise<AuthResult> {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          algorithms,
          ...(options.issuer === undefined ? {} : { issuer: [options.issuer].flat() }),
          ...(options.audience === undefined ? {} : { audience: [options.audience].flat() }),
          clockTolerance: options.clockTolerance ?? 5,
          ...(options.maxTokenAge === undefined ? {} : { maxTokenAge: options.maxTokenAge }),
          requiredClaims: [...(options.requiredClaims ?? ["exp"])],
          currentDate: new Date(clock.now()),
        });
        return { ok: true, principal: _principal(payload) };
      } catch (error) {
        return _failure(error);
      }
    },
  };
}

function _keyResolver(
  keys: readonly JwtKey[],
  algorithms: readonly string[],
  remote: JWTVerifyGetKey | undefined,
): JWTVerifyGetKey {
  return (header: JWTHeaderParameters, token) => {
    const local = keys.length === 1 && keys[0]!.kid === undefined
      ? keys[0]
      : keys.find((key) => key.kid !== undefined && key.kid === header.kid);
    if (local !== undefined) {
      if (!_familyOf(local.key).includes(header.alg) || !algorithms.includes(header.alg)) {
        throw new errors.JOSEAlgNotAllowed(`"alg" (Algorithm) Header Parameter value not allowed`);
      }
      return local.key as JoseCryptoKey | Uint8Array;
    }
    // A JWKS only ever holds public keys here: a symmetric `alg` would turn one into a secret.
    if (remote === undefined || header.alg.startsWith("HS")) {
      throw new errors.JWKSNoMatchingKey();
    }
    return (async () => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) {
          throw error;
        }
        throw new _JwksUnavailable("Cannot fetch the JWKS", { cause: error });
      }
    })();
  };
}

class _JwksUnavailable extends Error {
  override name = "JwksUnavailable";
}

function _principal(payload: JWTPayload) {
  return {
    subject: payload.sub,
    claims: payload as Record<string, unknown>,
    expiresAt: payload.exp === undefined ? undefined : payload.exp * 1000,
    method: "jwt",
  };
}

function _failure(error: unknown): AuthResult {
  if (error instanceof errors.JWTExpired) {
    return { ok: false, status: 401, reason: "token expired" };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { ok: false, status: 401, reason: `invalid claim ${error.claim}: ${error.reason}` };
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return { ok: false, status: 401, reason: "algorithm not allowed" };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return { ok: false, status: 401, reason: "invalid signature" };
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return { ok: false, status: 401, reason: "no matching key" };
  }
  if (error instanceof _JwksUnavailable) {
    return { ok: false, status: 503, reason: "key set unavailable" };
  }
  return { ok: false, status: 401, reason: "malformed token" };
}
