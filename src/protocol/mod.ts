/**
 * The sans-I/O RFC 6455 engine: frame decoding and encoding, message assembly with streaming
 * UTF-8 validation, masking, fragmentation, the opening handshake, and limits. Synchronous cores
 * (`createFrameDecoder`, `createMessageAssembler`, `encodeFrame`) with thin `TransformStream`
 * shells (`FrameDecoderStream`, `MessageAssemblerStream`, `FrameEncoderStream`, and
 * `MessageDecoderStream`, which runs both decoding stages in one stream).
 *
 * @example Bytes → frames → messages through Web Streams
 * ```ts
 * import {
 *   encodeFrame,
 *   FrameDecoderStream,
 *   MessageAssemblerStream,
 *   OPCODE,
 * } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const wire = encodeFrame(
 *   { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: new TextEncoder().encode("hello") },
 *   { mask: true },
 * );
 * const messages = ReadableStream.from([wire.subarray(0, 3), wire.subarray(3)])
 *   .pipeThrough(new FrameDecoderStream({ role: "server" }))
 *   .pipeThrough(new MessageAssemblerStream());
 * assert.deepEqual(await Array.fromAsync(messages), [{ type: "text", data: "hello" }]);
 * ```
 *
 * @module
 */
export * from "./close_code.ts";
export * from "./errors.ts";
export * from "./fragment.ts";
export * from "./frame.ts";
export * from "./frame_decoder.ts";
export * from "./frame_decoder_stream.ts";
export {
  encodedFrameSize,
  encodeFrame,
  encodeFrameInto,
  type EncodeFrameOptions,
} from "./frame_encoder.ts";
export * from "./frame_encoder_stream.ts";
export {
  type ClientOffer,
  computeAcceptKey,
  createUpgradeResponseHeaders,
  generateKey,
  isValidKey,
  type UpgradeRequest,
  type UpgradeRequestLike,
  type UpgradeResponse,
  type UpgradeResponseLike,
  type UpgradeResponseOptions,
  validateUpgradeRequest,
  validateUpgradeResponse,
  WEBSOCKET_GUID,
} from "./handshake.ts";
export * from "./header_values.ts";
export {
  findHeadEnd,
  formatResponseHead,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from "./http_head.ts";
export * from "./limits.ts";
export { applyMask, randomMask } from "./mask.ts";
export * from "./message.ts";
export * from "./message_assembler.ts";
export * from "./message_assembler_stream.ts";
export * from "./message_decoder_stream.ts";
export * from "./opcode.ts";
export {
  createUtf8StreamDecoder,
  decodeUtf8,
  isValidUtf8,
  type Utf8StreamDecoder,
} from "./utf8.ts";
