import { constantTimeEqual } from "./constant_time_equal.ts";
import { readCookie } from "./token_source.ts";

/** Double-submit CSRF check for cookie authentication. */
export interface CsrfOptions {
  /** Cookie holding the CSRF token. @default {"csrf"} */
  cookie?: string;
  /** Query parameter the page copies the token into. @default {"csrf"} */
  param?: string;
}

/**
 * The double-submit check: the query parameter must equal the cookie (compared in constant time).
 * A cross-site page can make the browser send the cookie but cannot read it to copy it.
 *
 * @example
 * ```ts
 * import { checkCsrf } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const good = new Request("http://localhost/ws?csrf=t0k3n", { headers: { cookie: "csrf=t0k3n" } });
 * const bad = new Request("http://localhost/ws?csrf=guess", { headers: { cookie: "csrf=t0k3n" } });
 * assert.equal(checkCsrf(good), true);
 * assert.equal(checkCsrf(bad), false);
 * ```
 */
export function checkCsrf(request: Request, options: CsrfOptions = {}): boolean {
  const cookie = readCookie(request.headers.get("cookie"), options.cookie ?? "csrf");
  const param = new URL(request.url).searchParams.get(options.param ?? "csrf");
  if (cookie === undefined || cookie === "" || param === null) return false;
  return constantTimeEqual(cookie, param);
}
