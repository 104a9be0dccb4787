/**
 * The `aero.v1` messaging layer: topic names and patterns, and the error codes and error types
 * that travel in `aero.v1` envelopes.
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
export * from "./errors.ts";
export * from "./topic.ts";
