import type { Transport } from "../connection/transport.ts";

/**
 * @internal A transport over `conn` whose readable yields `leftover` (bytes read past the
 * handshake response head, which belong to the first frames) before anything else. `reader` is
 * the reader the handshake used; it stays locked to this transport.
 */
export function _prefixedTransport(
  conn: Deno.Conn,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  leftover: Uint8Array,
): Transport {
  const close = (): void => {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };
  const closeWrite = (): Promise<void> => conn.closeWrite();
  if (leftover.length === 0) {
    // Nothing to replay: hand over the socket's own stream, no extra hop per read.
    reader.releaseLock();
    return { readable: conn.readable, writable: conn.writable, close, closeWrite };
  }
  let first: Uint8Array | undefined = leftover;
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first !== undefined) {
        controller.enqueue(first);
        first = undefined;
        return;
      }
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  return { readable, writable: conn.writable, close, closeWrite };
}
