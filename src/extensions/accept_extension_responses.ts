import { type ExtensionOffer, HandshakeError } from "../protocol/mod.ts";
import type { ExtensionFactory, ExtensionLimits } from "./extension.ts";
import type { NegotiatedExtensions } from "./negotiate_extensions.ts";

/**
 * Client side: checks the server's `Sec-WebSocket-Extensions` answer against the factories whose
 * offers were sent, and builds the per-connection extensions in the order the server listed them.
 * The client must fail the connection when this throws (RFC 6455 §4.1, RFC 7692 §5).
 *
 * @throws {HandshakeError} (status 101, the status the server answered) when the server accepted
 * an extension that was not offered, accepted one twice, answered with RSV bits already in use or
 * with parameters the extension rejects.
 *
 * @example
 * ```ts
 * import { acceptExtensionResponses, perMessageDeflate } from "@aero/socket/extensions";
 * import { parseExtensionHeader } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const factories = [perMessageDeflate()];
 * const agreed = acceptExtensionResponses(
 *   factories,
 *   parseExtensionHeader("permessage-deflate; server_no_context_takeover"),
 * );
 * assert.equal(agreed.extensions.length, 1);
 * agreed.extensions[0]!.close();
 * assert.throws(
 *   () => acceptExtensionResponses(factories, parseExtensionHeader("x-unknown")),
 *   { name: "HandshakeError" },
 * );
 * ```
 */
export function acceptExtensionResponses(
  factories: readonly ExtensionFactory[],
  responses: readonly ExtensionOffer[],
  limits: ExtensionLimits = {},
): NegotiatedExtensions {
  const result: NegotiatedExtensions = { responses: [...responses], extensions: [], rsv: 0 };
  const used = new Set<ExtensionFactory>();
  try {
    for (const response of responses) {
      const name = response.name.toLowerCase();
      const factory = factories.find((candidate) => candidate.name.toLowerCase() === name);
      if (factory === undefined) {
        _fail(`server accepted extension "${response.name}" that was not offered`);
      }
      if (used.has(factory)) _fail(`server accepted extension "${response.name}" twice`);
      used.add(factory);
      const extension = factory.accepted(response, limits);
      result.extensions.push(extension);
      if ((extension.rsv & result.rsv) !== 0) {
        _fail(`extension "${response.name}" claims RSV bits already in use`);
      }
      result.rsv |= extension.rsv;
    }
  } catch (error) {
    for (const extension of result.extensions) extension.close();
    throw error;
  }
  return result;
}

function _fail(message: string): never {
  throw new HandshakeError(101, `Cannot open WebSocket: ${message}`);
}
