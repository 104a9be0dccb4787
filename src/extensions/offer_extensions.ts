import type { ExtensionOffer } from "../protocol/mod.ts";
import type { ExtensionFactory } from "./extension.ts";

/**
 * Client side: every factory's offers, in order, for the `Sec-WebSocket-Extensions` request
 * header.
 *
 * @example
 * ```ts
 * import { offerExtensions, perMessageDeflate } from "@aero/socket/extensions";
 * import { formatExtensionHeader } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   formatExtensionHeader(offerExtensions([perMessageDeflate()])),
 *   "permessage-deflate; client_max_window_bits",
 * );
 * ```
 */
export function offerExtensions(factories: readonly ExtensionFactory[]): ExtensionOffer[] {
  return factories.flatMap((factory) => factory.offer());
}
