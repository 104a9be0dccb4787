import type { AuditEvent } from "../security/audit_log.ts";
import type { RateLimitScope } from "./server_metrics.ts";

/** The part of a `Security` policy that {@linkcode observeSecurity} reads: its audit stream. */
export interface AuditSource {
  /** The audit log; `subscribe` returns the function that unsubscribes. */
  readonly audit: { subscribe(listener: (event: AuditEvent) => void): () => void };
}

/** The `record…` methods {@linkcode observeSecurity} calls; `ServerMetrics` has them. */
export interface SecurityMetricsRecorder {
  /** One refusal by a rate limit. */
  recordRateLimited(scope: RateLimitScope): void;
  /** One refused authentication, with a short machine-readable reason. */
  recordAuthRejected(reason: string): void;
  /** One ban. */
  recordBan(): void;
}

const _SCOPES: Readonly<Record<string, RateLimitScope>> = {
  global: "global",
  upgradesPerIp: "ip",
  connectionsPerIp: "ip",
  messagesPerConnection: "connection",
  bytesPerConnection: "connection",
  publishesPerTopic: "topic",
};

/**
 * Feeds a security policy's audit events into server metrics: rate-limit hits
 * (`aero_rate_limit_rejections_total` by `scope`: `global`, `ip`, `connection`, `topic`), failed
 * authentications and refreshes (`aero_auth_rejections_total` by `reason`: `missing_token`,
 * `refresh`, `invalid_token` (401), `forbidden` (403), `unavailable` (503), else
 * `http_<status>`), and automatic bans (`aero_bans_total`). Returns the function that stops it.
 *
 * @example Counting a refused upgrade
 * ```ts
 * import { observeSecurity, ServerMetrics } from "@aero/socket/observability";
 * import { apiKeyAuthenticator, Security } from "@aero/socket/security";
 * import { serve } from "@aero/socket/server";
 * import assert from "node:assert/strict";
 *
 * const metrics = new ServerMetrics();
 * const security = new Security({
 *   authenticate: { authenticators: apiKeyAuthenticator([{ key: "k-12345678", subject: "svc" }]) },
 * });
 * const stop = observeSecurity(security, metrics);
 * const server = serve({ hostname: "127.0.0.1", port: 0, security, metrics }, (conn) => conn.close());
 * const ws = new WebSocket(server.url);
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * stop();
 * assert.match(metrics.render(), /^aero_auth_rejections_total\{reason="missing_token"\} 1$/m);
 * ```
 */
export function observeSecurity(
  security: AuditSource,
  metrics: SecurityMetricsRecorder,
): () => void {
  return security.audit.subscribe((event) => {
    switch (event.type) {
      case "rate_limit":
        return metrics.recordRateLimited(_SCOPES[event.limit ?? ""] ?? "connection");
      case "auth_failure":
        return metrics.recordAuthRejected(_authReason(event));
      case "ban":
        return metrics.recordBan();
    }
  });
}

// A bounded label: audit reasons are free text (an authenticator's own words).
function _authReason(event: AuditEvent): string {
  if (event.reason === "missing token") return "missing_token";
  if (event.reason.startsWith("refresh refused")) return "refresh";
  switch (event.status) {
    case undefined:
    case 401:
      return "invalid_token";
    case 403:
      return "forbidden";
    case 503:
      return "unavailable";
    default:
      return `http_${event.status}`;
  }
}
