import { constantTimeEqual } from "./constant_time_equal.ts";
import type { Authenticator, AuthResult } from "./principal.ts";

/** One API key and who it belongs to. */
export interface ApiKey {
  /** The secret key. */
  key: string;
  /** The owner, as {@linkcode Principal.subject}. */
  subject: string;
  /** Claims for permissions (e.g. `{ permissions: ["publish:metrics.>"] }`). @default {{}} */
  claims?: Record<string, unknown>;
}

/**
 * Accepts the API keys in `keys`. Every key is compared in constant time and all of them are
 * compared on every attempt, so the response time reveals neither the key nor which one was hit.
 *
 * @example
 * ```ts
 * import { apiKeyAuthenticator } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const auth = apiKeyAuthenticator([{ key: "k-123456", subject: "ingest" }]);
 * const context = { request: new Request("http://localhost/"), ip: "127.0.0.1", now: 0 };
 * const good = await auth.authenticate("k-123456", context);
 * assert.equal(good.ok && good.principal.subject, "ingest");
 * const bad = await auth.authenticate("k-123457", context);
 * assert.deepEqual(bad, { ok: false, status: 401, reason: "invalid API key" });
 * ```
 */
export function apiKeyAuthenticator(keys: readonly ApiKey[]): Authenticator {
  for (const entry of keys) {
    if (typeof entry.key !== "string" || entry.key.length < 8) {
      throw new RangeError("Cannot use API key: keys must be strings of at least 8 characters");
    }
  }
  const entries = keys.map((entry) => ({ ...entry, claims: { ...entry.claims } }));
  return {
    name: "api-key",
    authenticate(token: string): AuthResult {
      let found: (typeof entries)[number] | undefined;
      for (const entry of entries) {
        if (constantTimeEqual(entry.key, token) && found === undefined) found = entry;
      }
      if (found === undefined) return { ok: false, status: 401, reason: "invalid API key" };
      return {
        ok: true,
        principal: {
          subject: found.subject,
          claims: found.claims,
          expiresAt: undefined,
          method: "api-key",
        },
      };
    },
  };
}
