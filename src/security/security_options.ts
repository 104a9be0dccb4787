import type { Authenticator } from "../auth/principal.ts";
import type { CsrfOptions } from "../auth/csrf_check.ts";
import type { OriginRule } from "../auth/origin_policy.ts";
import type { PermissionClaimOptions } from "../auth/permissions.ts";
import type { TokenSource } from "../auth/token_source.ts";
import type { BanOptions } from "../limits/ban_list.ts";
import type { TrustedProxyOptions } from "../limits/client_ip.ts";
import type { Clock } from "../limits/clock.ts";
import type { RateLimit } from "../limits/token_bucket.ts";
import type { AuditLog } from "./audit_log.ts";

/** How connections authenticate. */
export interface AuthenticateOptions {
  /** Tried in order; the first that accepts the token wins. */
  authenticators: Authenticator | readonly Authenticator[];
  /** Where the token is looked for, in order. @default {[{ type: "header" }]} */
  sources?: readonly TokenSource[];
  /** Accept connections without a token (their principal is `undefined`). @default {false} */
  optional?: boolean;
  /** Where permissions are read from the claims. @default {{ claim: "permissions", scopeClaim: "scope" }} */
  permissions?: PermissionClaimOptions;
}

/**
 * Rate limits. Upgrade limits answer `429` with `Retry-After` before the upgrade; connection
 * limits close with 1008 after it. Set a limit to `null` to turn it off.
 */
export interface RateLimitOptions {
  /** Upgrade requests per IP. @default {{ capacity: 30, interval: 60_000 }} */
  upgradesPerIp?: RateLimit | null;
  /** Concurrent connections per IP. @default {64} */
  connectionsPerIp?: number | null;
  /** Upgrade requests from all IPs together. @default {null} */
  global?: RateLimit | null;
  /** Messages per connection. @default {{ capacity: 200, interval: 1_000 }} */
  messagesPerConnection?: RateLimit | null;
  /** Message payload size per connection (bytes; UTF-16 units for text). @default {{ capacity: 4_194_304, interval: 1_000 }} */
  bytesPerConnection?: RateLimit | null;
  /** Publishes per topic, checked by {@linkcode Security.allowPublish}. @default {{ capacity: 1_000, interval: 1_000 }} */
  publishesPerTopic?: RateLimit | null;
}

/** Options for {@linkcode Security}. Every check is explicit, logged and counted. */
export interface SecurityOptions {
  /** Authentication before the upgrade. @default {undefined} (anonymous connections) */
  authenticate?: AuthenticateOptions;
  /**
   * Allowed `Origin`s. When a cookie is a token source and this is unset, `["same-origin"]`.
   *
   * @default {undefined} (not checked, unless a cookie is a token source)
   */
  origins?: readonly OriginRule[];
  /** Accept requests without `Origin` (non-browser clients) when origins are checked. @default {false} */
  allowMissingOrigin?: boolean;
  /** Double-submit CSRF check (for cookie auth); `true` for the defaults. @default {false} */
  csrf?: CsrfOptions | boolean;
  /** Rate limits. @default {see RateLimitOptions} */
  rateLimits?: RateLimitOptions;
  /** Auto-ban; `false` turns it off. @default {{ threshold: 10, window: 60_000, duration: 60_000, factor: 2 }} */
  bans?: BanOptions | false;
  /** Proxies whose forwarding headers are believed. @default {undefined} (headers ignored) */
  trustedProxies?: TrustedProxyOptions;
  /** Where events go. @default {new AuditLog()} */
  audit?: AuditLog;
  /** The clock for limits, bans and expiry. @default {SYSTEM_CLOCK} */
  clock?: Clock;
}
