import type { Transport } from "../connection/transport.ts";

/** Options for {@linkcode createTransportPair}. */
export interface TransportPairOptions {
  /**
   * Largest chunk a read returns; writes are cut into chunks of at most this size, the way a
   * socket delivers bytes. Use `1` to deliver byte by byte.
   *
   * @default {65_536}
   */
  chunkSize?: number;
}

/**
 * Two connected in-memory transports: bytes written to one are read from the other. Writes are
 * copied (like a socket), so writers may reuse their buffers once a write resolves; closing
 * either end ends both directions, like a TCP reset, and `closeWrite()` ends one direction, like
 * a TCP FIN.
 *
 * @example
 * ```ts
 * import { createTransportPair } from "@aero/socket/testing";
 * import assert from "node:assert/strict";
 *
 * const [a, b] = createTransportPair();
 * const writer = a.writable.getWriter();
 * await writer.write(new Uint8Array([1, 2, 3]));
 * const { value } = await b.readable.getReader().read();
 * assert.deepEqual([...value!], [1, 2, 3]);
 * ```
 */
export function createTransportPair(options: TransportPairOptions = {}): [Transport, Transport] {
  const chunkSize = options.chunkSize ?? 65_536;
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
    throw new RangeError(`Cannot create transport pair: invalid chunkSize ${chunkSize}`);
  }
  const left = _pipe(chunkSize);
  const right = _pipe(chunkSize);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    left.end();
    right.end();
  };
  return [
    { readable: right.readable, writable: left.writable, close, closeWrite: () => left.end() },
    { readable: left.readable, writable: right.writable, close, closeWrite: () => right.end() },
  ];
}

function _pipe(chunkSize: number) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (ended) throw new Error("Cannot write: transport is closed");
      for (let i = 0; i < chunk.length; i += chunkSize) {
        controller.enqueue(chunk.slice(i, i + chunkSize));
      }
    },
    close() {
      end();
    },
  });
  function end() {
    if (ended) return;
    ended = true;
    try {
      controller.close();
    } catch {
      // Already closed or errored.
    }
  }
  return { readable, writable, end };
}
