/**
 * WebSocket extensions (RFC 6455 §9) and permessage-deflate (RFC 7692): the negotiation helpers
 * a server and a client use during the opening handshake, and per-connection transforms that
 * sit between the frame codec and the message layer (synchronous, but for large outgoing messages,
 * which permessage-deflate compresses on worker threads).
 *
 * @example Negotiating permessage-deflate and compressing a message
 * ```ts
 * import {
 *   acceptExtensionResponses,
 *   negotiateExtensions,
 *   offerExtensions,
 *   perMessageDeflate,
 * } from "@aero/socket/extensions";
 * import { OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const clientFactories = [perMessageDeflate({ threshold: 0 })];
 * const server = negotiateExtensions([perMessageDeflate({ threshold: 0 })], offerExtensions(clientFactories));
 * const client = acceptExtensionResponses(clientFactories, server.responses);
 *
 * const payload = new TextEncoder().encode("hello hello hello hello");
 * const sent = client.extensions[0]!.encode(OPCODE.TEXT, payload);
 * assert.ok(sent.payload.length < payload.length);
 * const frame = server.extensions[0]!.decode({ fin: true, rsv: sent.rsv, opcode: OPCODE.TEXT, payload: sent.payload });
 * assert.deepEqual(frame.payload, payload);
 * for (const extension of [...server.extensions, ...client.extensions]) extension.close();
 * ```
 *
 * @module
 */
export * from "./accept_extension_responses.ts";
export * from "./extension.ts";
export * from "./negotiate_extensions.ts";
export * from "./offer_extensions.ts";
export * from "./per_message_deflate.ts";
