/**
 * Allowed origins: exact origins (`"https://app.example.com"`), patterns in which `*` stands for
 * one DNS label (`"https://*.example.com"`), regular expressions, and `"same-origin"` (the
 * `Origin` host equals the request's `Host`).
 */
export type OriginRule = string | RegExp;

/**
 * Whether the `origin` of `request` is allowed by `rules`. A missing `Origin` (non-browser
 * clients) is allowed only with `allowMissing`; the opaque origin `"null"` only if listed.
 *
 * @example
 * ```ts
 * import { isOriginAllowed } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const rules = ["https://app.example.com", "https://*.example.org"];
 * const from = (origin: string) =>
 *   new Request("https://ws.example.com/", { headers: { origin } });
 * assert.equal(isOriginAllowed(from("https://app.example.com"), rules), true);
 * assert.equal(isOriginAllowed(from("https://eu.example.org"), rules), true);
 * assert.equal(isOriginAllowed(from("https://a.b.example.org"), rules), false);
 * assert.equal(isOriginAllowed(from("https://evil.example"), rules), false);
 * assert.equal(isOriginAllowed(new Request("https://ws.example.com/"), rules), false);
 * ```
 */
export function isOriginAllowed(
  request: Request,
  rules: readonly OriginRule[],
  allowMissing = false,
): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return allowMissing;
  const normalized = origin.trim().toLowerCase();
  for (const rule of rules) {
    if (rule instanceof RegExp) {
      if (rule.test(origin)) return true;
    } else if (rule === "same-origin") {
      if (_sameOrigin(normalized, request)) return true;
    } else if (rule.includes("*")) {
      if (_pattern(rule).test(normalized)) return true;
    } else if (rule.toLowerCase() === normalized) {
      return true;
    }
  }
  return false;
}

function _sameOrigin(origin: string, request: Request): boolean {
  if (origin === "null") return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return url.host === host.toLowerCase();
}

const _patterns = new Map<string, RegExp>();

function _pattern(rule: string): RegExp {
  let pattern = _patterns.get(rule);
  if (pattern === undefined) {
    const source = rule.toLowerCase().split("*").map((part) =>
      part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
    ).join("[a-z0-9-]+");
    pattern = new RegExp(`^${source}$`);
    _patterns.set(rule, pattern);
  }
  return pattern;
}
