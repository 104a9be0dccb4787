/**
 * AeroSocket: a WebSocket library and real-time server for Deno, built on Web Streams.
 *
 * The root entry point re-exports the protocol engine; `@aero/socket/protocol` holds the same
 * names for those who only want the codec.
 *
 * @example Round-trip a message through the codec
 * ```ts
 * import { createFrameDecoder, createMessageAssembler, encodeFrame, OPCODE } from "@aero/socket";
 * import assert from "node:assert/strict";
 *
 * const wire = encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.BINARY, payload: new Uint8Array([1, 2]) });
 * const assembler = createMessageAssembler();
 * const decoder = createFrameDecoder({ role: "client" });
 * decoder.push(wire, (frame) => assert.deepEqual(assembler.push(frame), { type: "binary", data: new Uint8Array([1, 2]) }));
 * ```
 *
 * @module
 */
export * from "./src/client/mod.ts";
export * from "./src/connection/mod.ts";
export * from "./src/extensions/mod.ts";
export * from "./src/protocol/mod.ts";
export * from "./src/server/mod.ts";
