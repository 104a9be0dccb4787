import type { ExtensionOffer } from "../protocol/mod.ts";
import type { Extension, ExtensionFactory, ExtensionLimits } from "./extension.ts";

/**
 * The outcome of extension negotiation: what to answer (server) or what was agreed (client), the
 * per-connection extensions in negotiation order, and the RSV bits they claim together (pass it as
 * the frame decoder's `allowedRsv`).
 */
export interface NegotiatedExtensions {
  /** Server: the `Sec-WebSocket-Extensions` response entries. Client: the server's answer. */
  responses: ExtensionOffer[];
  /** The per-connection extensions, in negotiation order. Close them with the connection. */
  extensions: Extension[];
  /** The OR of every extension's RSV bits. */
  rsv: number;
}

/**
 * Server side: negotiates the client's extension offers (RFC 6455 §9.1). Factories are tried in
 * the server's order; each is handed every offer with its name (case-insensitive) in the client's
 * order and accepts at most one. A factory whose RSV bits are already claimed is skipped.
 *
 * @throws {HandshakeError} when a factory requires the handshake to fail.
 *
 * @example Accepting permessage-deflate from a browser's offer
 * ```ts
 * import { negotiateExtensions, perMessageDeflate } from "@aero/socket/extensions";
 * import { formatExtensionHeader, parseExtensionHeader, RSV1 } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const offers = parseExtensionHeader("permessage-deflate; client_max_window_bits");
 * const result = negotiateExtensions([perMessageDeflate()], offers);
 * assert.equal(formatExtensionHeader(result.responses), "permessage-deflate");
 * assert.equal(result.rsv, RSV1);
 * for (const extension of result.extensions) extension.close();
 * ```
 */
export function negotiateExtensions(
  factories: readonly ExtensionFactory[],
  offers: readonly ExtensionOffer[],
  limits: ExtensionLimits = {},
): NegotiatedExtensions {
  const result: NegotiatedExtensions = { responses: [], extensions: [], rsv: 0 };
  try {
    for (const factory of factories) {
      if ((factory.rsv & result.rsv) !== 0) continue;
      const name = factory.name.toLowerCase();
      const mine = offers.filter((offer) => offer.name.toLowerCase() === name);
      if (mine.length === 0) continue;
      const accepted = factory.accept(mine, limits);
      if (accepted === null) continue;
      result.responses.push(accepted.response);
      result.extensions.push(accepted.extension);
      result.rsv |= accepted.extension.rsv;
    }
  } catch (error) {
    for (const extension of result.extensions) extension.close();
    throw error;
  }
  return result;
}
