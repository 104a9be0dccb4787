import type { ConnectionMetrics } from "./connection_metrics.ts";

/**
 * @internal Counts a data frame a `Connection` received: `size` payload bytes after its
 * extensions decoded it, `wire` as it arrived. `text` is its message's type (a continuation
 * frame's is its first frame's); a message is counted with its final frame. The compression pair
 * is counted only when the connection has extensions (`extended`).
 */
export function _countFrameIn(
  metrics: ConnectionMetrics,
  text: boolean,
  fin: boolean,
  size: number,
  wire: number,
  extended: boolean,
): void {
  if (text) {
    metrics.bytesInText += size;
    if (fin) metrics.messagesInText++;
  } else {
    metrics.bytesInBinary += size;
    if (fin) metrics.messagesInBinary++;
  }
  if (extended) {
    metrics.compressedBytesIn += wire;
    metrics.uncompressedBytesIn += size;
  }
}

/**
 * @internal Counts a message a `Connection` accepted for sending: `size` bytes before its
 * extensions, `encoded` after (counted only when it has extensions, `extended`).
 */
export function _countMessageOut(
  metrics: ConnectionMetrics,
  text: boolean,
  size: number,
  encoded: number,
  extended: boolean,
): void {
  if (text) {
    metrics.messagesOutText++;
    metrics.bytesOutText += size;
  } else {
    metrics.messagesOutBinary++;
    metrics.bytesOutBinary += size;
  }
  if (extended) {
    metrics.compressedBytesOut += encoded;
    metrics.uncompressedBytesOut += size;
  }
}
