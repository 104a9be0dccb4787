/**
 * Types and values of the wire protocol and the connection layer that appear in the SDK's API, re-exported
 * so that `@aero/socket/sdk` is self-contained.
 *
 * @example
 * ```ts
 * import type { StreamPosition } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const position: StreamPosition = { epoch: "e1", offset: 3 };
 * assert.equal(position.offset, 3);
 * ```
 *
 * @module
 */
export type { WebSocketConnection } from "../connection/websocket_connection.ts";
export type { CloseInfo, ConnectionInfo } from "../connection/connection_options.ts";
export { READY_STATE, type ReadyState } from "../connection/ready_state.ts";
export type { AERO_PROTOCOLS, AeroProtocol, Codec } from "../messaging/codec.ts";
export { JSON_CODEC } from "../messaging/json_codec.ts";
export type { PresenceMember, StreamPosition } from "../messaging/envelope.ts";
export { type ErrorBody, RpcError } from "../messaging/errors.ts";
export type { BinaryMessage, Message, TextMessage } from "../protocol/message.ts";
