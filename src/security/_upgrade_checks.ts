import { checkCsrf } from "../auth/csrf_check.ts";
import { isOriginAllowed, type OriginRule } from "../auth/origin_policy.ts";
import type { BanList } from "../limits/ban_list.ts";
import type { _ConnectionCounts } from "./_connection_counts.ts";
import type { _RateLimits } from "./_rate_limits.ts";
import type { _Reporter } from "./_reporter.ts";
import type { SecurityCounters } from "./security_counters.ts";
import type { SecurityOptions } from "./security_options.ts";

/** @internal What {@linkcode _screenUpgrade} checks against. */
export interface _UpgradeChecks {
  options: SecurityOptions;
  bans: BanList;
  limits: _RateLimits;
  connections: _ConnectionCounts;
  origins: readonly OriginRule[] | undefined;
  reporter: _Reporter;
}

/**
 * @internal The cheap checks of an upgrade, before any cryptography, in order: ban, global
 * and per-IP rate limits, per-IP connection cap, Origin, CSRF. Returns the refusal to answer
 * with (counted and audited), or `undefined` to go on.
 */
export function _screenUpgrade(
  request: Request,
  ip: string,
  id: string,
  checks: _UpgradeChecks,
): Response | undefined {
  const { options, limits, reporter } = checks;
  if (checks.bans.get(ip) !== undefined) {
    reporter.count("bannedRejections");
    return _refusal(403, "banned");
  }
  if (limits.global !== undefined) {
    const taken = limits.global.take();
    if (!taken.ok) return _limited("global", "globalLimited", ip, id, taken.retryAfter, reporter);
  }
  if (limits.upgrades !== undefined) {
    const taken = limits.upgrades.take(ip);
    if (!taken.ok) {
      return _limited("upgradesPerIp", "upgradesLimited", ip, id, taken.retryAfter, reporter);
    }
  }
  if (checks.connections.full(ip, limits.connectionsPerIp)) {
    return _limited("connectionsPerIp", "connectionsLimited", ip, id, undefined, reporter);
  }
  if (
    checks.origins !== undefined &&
    !isOriginAllowed(request, checks.origins, options.allowMissingOrigin ?? false)
  ) {
    reporter.count("originRejections");
    const reason = `origin ${request.headers.get("origin") ?? "missing"} not allowed`;
    reporter.violation({ type: "origin_rejected", ip, connectionId: id, reason, status: 403 });
    return _refusal(403, "origin not allowed");
  }
  const csrf = options.csrf;
  if (csrf !== undefined && csrf !== false && !checkCsrf(request, csrf === true ? {} : csrf)) {
    reporter.count("csrfRejections");
    reporter.violation({
      type: "csrf_rejected",
      ip,
      connectionId: id,
      reason: "CSRF token mismatch",
      status: 403,
    });
    return _refusal(403, "CSRF token mismatch");
  }
  return undefined;
}

/** @internal A plain-text refusal of an upgrade. */
export function _refusal(status: number, reason: string, headers: HeadersInit = {}): Response {
  const all = new Headers(headers);
  all.set("content-type", "text/plain; charset=utf-8");
  // RFC 6750 §3: a 401 for a bearer token says so.
  if (status === 401) all.set("www-authenticate", 'Bearer error="invalid_token"');
  return new Response(`${reason}\n`, { status, headers: all });
}

function _limited(
  limit: string,
  counter: keyof SecurityCounters,
  ip: string,
  id: string,
  retryAfter: number | undefined,
  reporter: _Reporter,
): Response {
  reporter.count(counter);
  reporter.violation({
    type: "rate_limit",
    limit,
    ip,
    connectionId: id,
    reason: `${limit} exceeded`,
    status: 429,
  });
  // RFC 9110 §10.2.3: Retry-After in whole seconds.
  const headers: HeadersInit = retryAfter === undefined || !Number.isFinite(retryAfter)
    ? {}
    : { "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1000))) };
  return _refusal(429, "rate limit exceeded", headers);
}
