/**
 * The hot-path counters a connection increments: plain number fields, read by the Prometheus
 * renderer and the OpenTelemetry observable instruments at collection time, so counting a
 * message costs an addition. {@linkcode ServerMetrics} implements it; pass one as the `metrics`
 * option of `serve()`, `upgrade()` or a `Connection`.
 *
 * Byte counts are payload bytes of data messages (UTF-8 bytes for text), before compression on
 * the way out and after decompression on the way in. `compressedBytes*` and
 * `uncompressedBytes*` count data frames on connections that negotiated an extension only.
 *
 * @example A connection counts what it sends and receives
 * ```ts
 * import { Connection } from "@aero/socket";
 * import { ServerMetrics } from "@aero/socket/observability";
 * import { createTransportPair } from "@aero/socket/testing";
 * import assert from "node:assert/strict";
 *
 * const metrics = new ServerMetrics();
 * const [a, b] = createTransportPair();
 * const server = new Connection(a, { role: "server", metrics });
 * const client = new Connection(b, { role: "client" });
 * client.send("héllo");
 * const iterator = server[Symbol.asyncIterator]();
 * await iterator.next();
 * server.send(new Uint8Array(3));
 * client.close();
 * await Promise.all([client.closed, server.closed]);
 * assert.equal(metrics.messagesInText, 1);
 * assert.equal(metrics.bytesInText, 6);
 * assert.equal(metrics.messagesOutBinary, 1);
 * assert.equal(metrics.bytesOutBinary, 3);
 * ```
 */
export interface ConnectionMetrics {
  /** Text messages received. */
  messagesInText: number;
  /** Binary messages received. */
  messagesInBinary: number;
  /** Payload bytes of text messages received. */
  bytesInText: number;
  /** Payload bytes of binary messages received. */
  bytesInBinary: number;
  /** Text messages accepted by `send()`. */
  messagesOutText: number;
  /** Binary messages accepted by `send()`. */
  messagesOutBinary: number;
  /** Payload bytes of text messages accepted by `send()`. */
  bytesOutText: number;
  /** Payload bytes of binary messages accepted by `send()`. */
  bytesOutBinary: number;
  /** Inbound data-frame payload bytes as they arrived, on connections with an extension. */
  compressedBytesIn: number;
  /** The same frames' payload bytes after the extension decoded them. */
  uncompressedBytesIn: number;
  /** Outbound message bytes after the extension encoded them. */
  compressedBytesOut: number;
  /** The same messages' bytes before the extension encoded them. */
  uncompressedBytesOut: number;
  /** Connections closed because the peer was silent beyond the idle timeout. */
  keepaliveTimeouts: number;
  /** Connections closed by the `"close"` slow-consumer policy. */
  slowConsumerCloses: number;
  /** Messages refused by the `"drop"` slow-consumer policy. */
  slowConsumerDrops: number;
  /** Counts a connection failed for a protocol violation, by `ProtocolError.code`. */
  protocolError(code: string): void;
}
