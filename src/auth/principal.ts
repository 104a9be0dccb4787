/** Who a connection belongs to, as established by an {@linkcode Authenticator}. */
export interface Principal {
  /** The subject (`sub` claim, API key owner…), when known. */
  subject: string | undefined;
  /** The verified claims (a JWT payload, an API key's claims…). */
  claims: Readonly<Record<string, unknown>>;
  /** When the credential expires (ms since the epoch); the connection is closed then. */
  expiresAt: number | undefined;
  /** Which authenticator accepted the credential (`"jwt"`, `"api-key"`, a custom name). */
  method: string;
}

/** The outcome of an authentication: a principal, or the HTTP status and reason to refuse with. */
export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403 | 503; reason: string };

/** What an authenticator may look at besides the token. */
export interface AuthContext {
  /** The upgrade request. */
  request: Request;
  /** The client's IP address (after trusted-proxy resolution). */
  ip: string;
  /** The current time (ms since the epoch), from the injected clock. */
  now: number;
}

/**
 * Verifies a credential. Implement it for a custom scheme (session lookups, mTLS headers…), or use
 * `jwtAuthenticator`, `apiKeyAuthenticator`, or `customAuthenticator`.
 */
export interface Authenticator {
  /** The method name recorded in {@linkcode Principal.method} and audit events. */
  readonly name: string;
  /** Verifies `token`; never throws for a bad token (a thrown error is answered 500). */
  authenticate(token: string, context: AuthContext): AuthResult | Promise<AuthResult>;
}

/**
 * Wraps a function as an {@linkcode Authenticator}: the custom hook.
 *
 * @example
 * ```ts
 * import { customAuthenticator } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const sessions = new Map([["abc", "alice"]]);
 * const auth = customAuthenticator("session", (token) => {
 *   const user = sessions.get(token);
 *   return user === undefined
 *     ? { ok: false, status: 401, reason: "unknown session" }
 *     : { ok: true, principal: { subject: user, claims: {}, expiresAt: undefined, method: "session" } };
 * });
 * const context = { request: new Request("http://localhost/"), ip: "127.0.0.1", now: 0 };
 * const result = await auth.authenticate("abc", context);
 * assert.equal(result.ok && result.principal.subject, "alice");
 * ```
 */
export function customAuthenticator(
  name: string,
  authenticate: (token: string, context: AuthContext) => AuthResult | Promise<AuthResult>,
): Authenticator {
  if (typeof authenticate !== "function") {
    throw new TypeError("Cannot create authenticator: not a function");
  }
  return { name, authenticate };
}
