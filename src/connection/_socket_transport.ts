import type { Transport } from "./transport.ts";

/**
 * @internal A {@linkcode Transport} over a `Deno.Conn` that reads and writes with `conn.read`
 * and `conn.write`. The socket's own `readable`/`writable` (and this transport's, built over the
 * same calls) are created only when asked for: a connection over this transport reads through
 * {@linkcode read} and writes through {@linkcode write} directly. Measured with 10,000 idle
 * connections, the socket's pair of streams with a BYOB reader and a writer cost about 8 KB per
 * connection, mostly stream state, promises and closures that wait for nothing.
 *
 * `leftover` holds bytes already read from the socket (those that followed the opening
 * handshake's head); they are read first.
 */
export class _SocketTransport implements Transport {
  readonly #conn: Deno.Conn;
  #leftover: Uint8Array | null;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  constructor(conn: Deno.Conn, leftover?: Uint8Array) {
    this.#conn = conn;
    this.#leftover = leftover === undefined || leftover.length === 0 ? null : leftover;
  }

  /** Bytes from the peer, as a byte stream over {@linkcode read} (created on first use). */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= new ReadableStream({
      type: "bytes",
      pull: async (controller) => {
        const request = controller.byobRequest!;
        const read = await this.read(request.view as Uint8Array);
        if (read === null) {
          controller.close();
          request.respond(0);
        } else {
          request.respond(read);
        }
      },
      cancel: () => this.close(),
      autoAllocateChunkSize: 16 * 1024,
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** Bytes to the peer, as a stream over {@linkcode write} (created on first use). */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream({
      write: (chunk) => this.write(chunk),
      close: () => this.closeWrite(),
      abort: () => this.close(),
    });
    return this.#writable;
  }

  /**
   * Reads into the start of `into` (not empty) and resolves with the number of bytes read, or
   * `null` at the end of the input. A pending read holds only `into`.
   */
  read(into: Uint8Array): Promise<number | null> {
    const leftover = this.#leftover;
    if (leftover === null) return this.#conn.read(into);
    const length = Math.min(leftover.length, into.length);
    into.set(leftover.subarray(0, length));
    this.#leftover = length === leftover.length ? null : leftover.subarray(length);
    return Promise.resolve(length);
  }

  /** Writes all of `chunk`; resolves once the socket is done with it. */
  write(chunk: Uint8Array): Promise<void> {
    return _writeAll(this.#conn, chunk);
  }

  /** Writes some of `chunk` (not empty); resolves with how many bytes were written. */
  writeSome(chunk: Uint8Array): Promise<number> {
    return this.#conn.write(chunk);
  }

  close(): void {
    this.#conn.close();
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }
}

/**
 * @internal Reads from `conn` into a fresh buffer of `size` bytes, as a reader's result (the
 * value is a view of the bytes read).
 */
export async function _readSome(
  conn: Deno.Conn,
  size: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  const buffer = new Uint8Array(size);
  const read = await conn.read(buffer);
  if (read === null) return { done: true } as ReadableStreamReadDoneResult<Uint8Array>;
  return { done: false, value: buffer.subarray(0, read) };
}

/** @internal Writes all of `bytes` to `conn` (`conn.write` may write part of them). */
export async function _writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = await conn.write(bytes);
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}
