/**
 * An in-memory transport pair with bounded buffers, like a socket with fixed kernel buffers: a
 * write resolves only once the bytes fit under the reading side's capacity, so a reader that
 * stops reading stalls the writer. (`createTransportPair` accepts every write at once, which is
 * right for most tests but cannot show backpressure.)
 *
 * @module
 */
import type { Transport } from "../../src/connection/mod.ts";

/** Creates two connected transports whose buffers hold at most `capacity` bytes each way. */
export function createBoundedTransportPair(capacity: number): [Transport, Transport] {
  const left = _boundedPipe(capacity);
  const right = _boundedPipe(capacity);
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

function _boundedPipe(capacity: number) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const pending = waiters;
    waiters = [];
    for (const resolve of pending) resolve();
  };
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    pull() {
      wake();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: capacity }));
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (ended) throw new Error("Cannot write: transport is closed");
      controller.enqueue(chunk.slice());
      while (!ended && (controller.desiredSize ?? 0) <= 0) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      if (ended) throw new Error("Cannot write: transport is closed");
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
      // Already closed.
    }
    wake();
  }
  return { readable, writable, end };
}
