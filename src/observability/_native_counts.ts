import type { Message } from "../protocol/message.ts";
import type { ConnectionMetrics } from "./connection_metrics.ts";
import { _countFrameIn, _countMessageOut } from "./_frame_counts.ts";
import { _utf8Length } from "../protocol/_utf8_length.ts";

/** @internal Counts a message received by the native engine (Deno hands text over decoded). */
export function _countNativeIn(metrics: ConnectionMetrics, message: Message): void {
  const text = message.type === "text";
  const size = text ? _utf8Length(message.data) : message.data.length;
  // A whole message, as one final frame; Deno's WebSocket negotiates no extension.
  _countFrameIn(metrics, text, true, size, size, false);
}

/** @internal Counts a message accepted by the native engine's `send()`. */
export function _countNativeOut(metrics: ConnectionMetrics, data: string | Uint8Array): void {
  const text = typeof data === "string";
  const size = text ? _utf8Length(data) : data.length;
  _countMessageOut(metrics, text, size, size, false);
}
