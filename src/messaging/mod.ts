/**
 * The `aero.v1` messaging layer: envelopes and their codecs (JSON, MessagePack, CBOR), topic
 * names and patterns, the error codes and error types that travel in envelopes.
 *
 * @example Match a topic against a subscription pattern
 * ```ts
 * import { isTopicName, matchTopic } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isTopicName("chat.lobby"), true);
 * assert.equal(matchTopic("chat.*", "chat.lobby"), true);
 * assert.equal(matchTopic("chat.*", "news.lobby"), false);
 * ```
 *
 * @module
 */
export * from "./broker.ts";
export * from "./cbor_codec.ts";
export * from "./codec.ts";
export * from "./decode_envelope.ts";
export * from "./envelope.ts";
export * from "./errors.ts";
export * from "./json_codec.ts";
export * from "./memory_broker.ts";
export * from "./msgpack_codec.ts";
export * from "./router.ts";
export type {
  AuthorizeContext,
  ConnectContext,
  DeadLetter,
  RouterMetricsRecorder,
  RouterOptions,
} from "./router_options.ts";
export * from "./rpc.ts";
export * from "./schema.ts";
export * from "./topic.ts";
