import { HandshakeError } from "./errors.ts";

const _TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Whether `value` is an HTTP token (RFC 7230 §3.2.6), the syntax of subprotocol names, extension
 * names and extension parameter names.
 *
 * @example
 * ```ts
 * import { isToken } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isToken("aero.v1.json"), true);
 * assert.equal(isToken("a b"), false);
 * ```
 */
export function isToken(value: string): boolean {
  return _TOKEN.test(value);
}

/**
 * Parses a `Sec-WebSocket-Protocol` header value (RFC 6455 §4.1, §11.3.4): comma-separated
 * tokens, each at most once. A missing header is an empty list.
 *
 * @throws {HandshakeError} 400 for an empty element, a non-token or a duplicate.
 *
 * @example
 * ```ts
 * import { parseProtocolHeader } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseProtocolHeader("aero.v1.json, chat"), ["aero.v1.json", "chat"]);
 * assert.deepEqual(parseProtocolHeader(null), []);
 * assert.throws(() => parseProtocolHeader("a, a"), { status: 400 });
 * ```
 */
export function parseProtocolHeader(value: string | null): string[] {
  if (value === null) return [];
  const protocols: string[] = [];
  for (const part of value.split(",")) {
    const name = part.trim();
    if (!isToken(name)) {
      throw new HandshakeError(400, `Cannot parse Sec-WebSocket-Protocol: invalid token "${name}"`);
    }
    if (protocols.includes(name)) {
      throw new HandshakeError(400, `Cannot parse Sec-WebSocket-Protocol: duplicate "${name}"`);
    }
    protocols.push(name);
  }
  return protocols;
}

/**
 * One extension in a `Sec-WebSocket-Extensions` header: a name and its parameters in order.
 * A parameter without a value has `value: true`. Duplicates are kept so that the extension can
 * decline them (RFC 7692 §7 requires that).
 *
 * @example
 * ```ts
 * import type { ExtensionOffer } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const offer: ExtensionOffer = { name: "permessage-deflate", params: [["client_max_window_bits", true]] };
 * assert.equal(offer.params.length, 1);
 * ```
 */
export interface ExtensionOffer {
  /** Extension token, as sent (compare case-insensitively where the extension says so). */
  name: string;
  /** Parameters in order, with quoted values unquoted. */
  params: [name: string, value: string | true][];
}

/**
 * Parses a `Sec-WebSocket-Extensions` header value (RFC 6455 §9.1): comma-separated extensions,
 * each a token with `;`-separated parameters, values as tokens or quoted strings (which must hold
 * a token once unquoted). Whitespace around separators is allowed. A missing header is an empty
 * list.
 *
 * @throws {HandshakeError} 400 for malformed syntax.
 *
 * @example Several offers, a quoted value and whitespace
 * ```ts
 * import { parseExtensionHeader } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const offers = parseExtensionHeader(
 *   'permessage-deflate; client_max_window_bits="10" ;server_no_context_takeover, permessage-deflate',
 * );
 * assert.deepEqual(offers, [
 *   { name: "permessage-deflate", params: [["client_max_window_bits", "10"], ["server_no_context_takeover", true]] },
 *   { name: "permessage-deflate", params: [] },
 * ]);
 * ```
 */
export function parseExtensionHeader(value: string | null): ExtensionOffer[] {
  if (value === null) return [];
  const parser = new _ListParser(value);
  const offers: ExtensionOffer[] = [];
  do {
    const name = parser.token();
    const params: [string, string | true][] = [];
    while (parser.skip(";")) {
      const param = parser.token();
      params.push([param, parser.skip("=") ? parser.value() : true]);
    }
    offers.push({ name, params });
  } while (parser.skip(","));
  parser.end();
  return offers;
}

/**
 * Formats extensions for a `Sec-WebSocket-Extensions` header; values that are not tokens are
 * quoted.
 *
 * @example
 * ```ts
 * import { formatExtensionHeader } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   formatExtensionHeader([{ name: "permessage-deflate", params: [["server_max_window_bits", "10"], ["client_no_context_takeover", true]] }]),
 *   "permessage-deflate; server_max_window_bits=10; client_no_context_takeover",
 * );
 * ```
 */
export function formatExtensionHeader(offers: readonly ExtensionOffer[]): string {
  return offers.map(({ name, params }) =>
    [
      name,
      ...params.map(([key, value]) => {
        if (value === true) return key;
        return isToken(value) ? `${key}=${value}` : `${key}="${value.replace(/["\\]/g, "\\$&")}"`;
      }),
    ].join("; ")
  ).join(", ");
}

class _ListParser {
  #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  #ws(): void {
    while (
      this.#pos < this.#text.length &&
      (this.#text[this.#pos] === " " || this.#text[this.#pos] === "\t")
    ) {
      this.#pos++;
    }
  }

  #fail(what: string): never {
    throw new HandshakeError(
      400,
      `Cannot parse Sec-WebSocket-Extensions: expected ${what} at offset ${this.#pos}`,
    );
  }

  skip(char: string): boolean {
    this.#ws();
    if (this.#text[this.#pos] !== char) return false;
    this.#pos++;
    return true;
  }

  token(): string {
    this.#ws();
    const start = this.#pos;
    while (this.#pos < this.#text.length && _TOKEN.test(this.#text[this.#pos]!)) this.#pos++;
    if (start === this.#pos) this.#fail("a token");
    return this.#text.slice(start, this.#pos);
  }

  value(): string {
    this.#ws();
    if (this.#text[this.#pos] !== '"') return this.token();
    this.#pos++;
    let out = "";
    for (;;) {
      const char = this.#text[this.#pos++];
      if (char === undefined) this.#fail("a closing quote");
      if (char === '"') break;
      if (char === "\\") {
        const escaped = this.#text[this.#pos++];
        if (escaped === undefined) this.#fail("an escaped character");
        out += escaped;
      } else {
        out += char;
      }
    }
    // RFC 6455 §9.1: a quoted value must still be a token once unquoted.
    if (!isToken(out)) this.#fail("a token inside the quotes");
    return out;
  }

  end(): void {
    this.#ws();
    if (this.#pos !== this.#text.length) this.#fail("a comma or the end");
  }
}
