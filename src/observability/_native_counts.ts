import type { Message } from "../protocol/message.ts";
import type { ConnectionMetrics } from "./connection_metrics.ts";
import { _utf8Length } from "../protocol/_utf8_length.ts";

/** @internal Counts a message received by the native engine (Deno hands text over decoded). */
export function _countNativeIn(metrics: ConnectionMetrics, message: Message): void {
  if (message.type === "text") {
    metrics.messagesInText++;
    metrics.bytesInText += _utf8Length(message.data);
  } else {
    metrics.messagesInBinary++;
    metrics.bytesInBinary += message.data.length;
  }
}

/** @internal Counts a message accepted by the native engine's `send()`. */
export function _countNativeOut(metrics: ConnectionMetrics, data: string | Uint8Array): void {
  if (typeof data === "string") {
    metrics.messagesOutText++;
    metrics.bytesOutText += _utf8Length(data);
  } else {
    metrics.messagesOutBinary++;
    metrics.bytesOutBinary += data.length;
  }
}
