/**
 * Where to look for the credential. Browsers cannot set headers on a WebSocket, so besides the
 * `Authorization` header there are the subprotocol list, a cookie and the query string. The
 * query string is leaky (proxy logs, history, `Referer`): use it only with short-lived tokens.
 */
export type TokenSource =
  | {
    /** The `Authorization` header (or another header). */
    type: "header";
    /** Header name. @default {"authorization"} */
    name?: string;
    /** Scheme before the token; `""` for the bare header value. @default {"Bearer"} */
    scheme?: string;
  }
  | {
    /**
     * A `Sec-WebSocket-Protocol` entry `<prefix><token>`. It is removed from the offered list
     * before subprotocol selection, so only a real subprotocol is echoed back. The client must
     * also offer a real subprotocol that the server selects: browsers fail a connection that
     * offered subprotocols and got none.
     */
    type: "protocol";
    /** Prefix of the token entry. @default {"aero.auth."} */
    prefix?: string;
  }
  | {
    /** A cookie. Turns the Origin check on (cross-site WebSocket hijacking). */
    type: "cookie";
    /** Cookie name. */
    name: string;
  }
  | {
    /** A query parameter: leaky, never on by default. */
    type: "query";
    /** Parameter name. */
    name: string;
  };

/** A token and the source it came from. */
export interface ExtractedToken {
  /** The credential. */
  token: string;
  /** The source's `type`. */
  source: TokenSource["type"];
}

/**
 * Finds the credential in `request`, trying `sources` in order.
 *
 * @example
 * ```ts
 * import { extractToken } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const request = new Request("http://localhost/", {
 *   headers: { "sec-websocket-protocol": "aero.v1.json, aero.auth.abc.def.ghi" },
 * });
 * const found = extractToken(request, [{ type: "header" }, { type: "protocol" }]);
 * assert.deepEqual(found, { token: "abc.def.ghi", source: "protocol" });
 * ```
 */
export function extractToken(
  request: Request,
  sources: readonly TokenSource[],
): ExtractedToken | undefined {
  for (const source of sources) {
    const token = _tokenFrom(request, source);
    if (token !== undefined && token !== "") return { token, source: source.type };
  }
  return undefined;
}

/**
 * The offered subprotocols without the token entries of `protocol` sources: what subprotocol
 * selection sees.
 *
 * @example
 * ```ts
 * import { stripTokenProtocols } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const offered = ["aero.v1.json", "aero.auth.abc"];
 * assert.deepEqual(stripTokenProtocols(offered, [{ type: "protocol" }]), ["aero.v1.json"]);
 * ```
 */
export function stripTokenProtocols(
  offered: readonly string[],
  sources: readonly TokenSource[],
): string[] {
  const prefixes = sources.flatMap((source) =>
    source.type === "protocol" ? [source.prefix ?? "aero.auth."] : []
  );
  return offered.filter((name) => !prefixes.some((prefix) => name.startsWith(prefix)));
}

/**
 * The value of cookie `name` in a `Cookie` header, or `undefined`.
 *
 * @example
 * ```ts
 * import { readCookie } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * assert.equal(readCookie("a=1; session=xyz", "session"), "xyz");
 * assert.equal(readCookie(null, "session"), undefined);
 * ```
 */
export function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq !== -1 && pair.slice(0, eq).trim() === name) {
      return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    }
  }
  return undefined;
}

function _tokenFrom(request: Request, source: TokenSource): string | undefined {
  switch (source.type) {
    case "header": {
      const value = request.headers.get(source.name ?? "authorization");
      if (value === null) return undefined;
      const scheme = source.scheme ?? "Bearer";
      if (scheme === "") return value.trim();
      const [given, ...rest] = value.trim().split(/\s+/);
      return given?.toLowerCase() === scheme.toLowerCase() && rest.length === 1
        ? rest[0]
        : undefined;
    }
    case "protocol": {
      const prefix = source.prefix ?? "aero.auth.";
      const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",");
      const entry = offered.map((name) => name.trim()).find((name) => name.startsWith(prefix));
      return entry?.slice(prefix.length);
    }
    case "cookie":
      return readCookie(request.headers.get("cookie"), source.name);
    case "query":
      return new URL(request.url).searchParams.get(source.name) ?? undefined;
  }
}
