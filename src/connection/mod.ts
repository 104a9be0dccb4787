/**
 * The WebSocket connection shared by every server engine and the client.
 *
 * @module
 */
export * from "./connection.ts";
export type {
  CloseInfo,
  ConnectionExtension,
  ConnectionInfo,
  ConnectionOptions,
  KeepaliveOptions,
  SlowConsumerOptions,
} from "./connection_options.ts";
export * from "../observability/connection_metrics.ts";
export * from "./ready_state.ts";
export * from "./transport.ts";
export * from "./websocket_connection.ts";
