import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { ConnectionMetrics } from "./connection_metrics.ts";

/**
 * What a server needs from its `metrics` option: the per-connection counters, plus connection
 * tracking and handshake refusals. `ServerMetrics` from `@aero/socket/observability` implements
 * it; so may a test double.
 *
 * @example A recorder that only counts refusals
 * ```ts
 * import { serve, type ServerMetricsRecorder } from "@aero/socket/server";
 * import assert from "node:assert/strict";
 *
 * const refused: number[] = [];
 * const recorder: ServerMetricsRecorder = {
 *   messagesInText: 0, messagesInBinary: 0, bytesInText: 0, bytesInBinary: 0,
 *   messagesOutText: 0, messagesOutBinary: 0, bytesOutText: 0, bytesOutBinary: 0,
 *   compressedBytesIn: 0, uncompressedBytesIn: 0, compressedBytesOut: 0, uncompressedBytesOut: 0,
 *   keepaliveTimeouts: 0, slowConsumerCloses: 0, slowConsumerDrops: 0,
 *   protocolError() {},
 *   trackConnection() {},
 *   recordHandshakeRejected: (_engine, status) => void refused.push(status),
 * };
 * const server = serve({ hostname: "127.0.0.1", port: 0, maxConnections: 0, metrics: recorder }, () => {});
 * const ws = new WebSocket(server.url);
 * await new Promise((resolve) => (ws.onclose = resolve));
 * await server.shutdown();
 * assert.deepEqual(refused, [503]);
 * ```
 */
export interface ServerMetricsRecorder extends ConnectionMetrics {
  /** Called with every accepted connection, before the application's handler. */
  trackConnection(engine: "streams" | "native", conn: WebSocketConnection<unknown>): void;
  /** Called for every refused opening handshake with the HTTP status sent (0: none sent). */
  recordHandshakeRejected(engine: "streams" | "native", status: number): void;
  /**
   * Called (by the `streams` engine) for every connection closed before its request head
   * arrived: `handshakeTimeout` ran out (`"timeout"`), or `maxPendingHandshakes` made room for
   * another (`"evicted"`). Optional: recorders without it are not told.
   */
  recordHandshakeDropped?(engine: "streams", reason: "timeout" | "evicted"): void;
}
