// Synchronous streaming raw DEFLATE on top of the runtime's native zlib.
//
// Why this backend: permessage-deflate needs synchronous compression that keeps its LZ77 window
// across messages (sync flush, not finish). `CompressionStream` is asynchronous only, and
// `zlib.deflateRawSync` cannot keep a context. The stream objects of `node:zlib` own a native
// handle whose `writeSync(flush, in, inOff, inLen, out, outOff, outLen)` runs one zlib call
// synchronously and reports the space left in `_writeState` ([availOut, availIn]) — the same
// handle API Node's own `zlib.*Sync` functions are built on, present in Deno's node:zlib too.
// It produces the RFC 7692 §7.2.3 example bytes exactly (tests/extensions) and is measured
// against ws in docs/COMPRESSION.md. Errors arrive synchronously through `onerror`.
import { createDeflateRaw, createInflateRaw } from "node:zlib";

const _Z_SYNC_FLUSH = 2;

interface _NativeHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

interface _NativeStream {
  _handle: _NativeHandle | null;
  _writeState: Uint32Array;
  close(): void;
}

// Output is produced into one shared scratch buffer (the code is synchronous, so no two calls
// can interleave) and copied out by the consumer before the next call.
const _scratch = new Uint8Array(64 * 1024);

/** Options of a raw DEFLATE stream. */
export interface _ZlibOptions {
  windowBits: number;
  level?: number;
  memLevel?: number;
}

/** One native raw deflate or inflate stream, driven synchronously. */
export class _ZlibStream {
  #stream: _NativeStream;
  #handle: _NativeHandle;
  #state: Uint32Array;
  #error: string | undefined;

  constructor(kind: "deflate" | "inflate", options: _ZlibOptions) {
    const stream =
      (kind === "deflate"
        ? createDeflateRaw(options)
        : createInflateRaw(options)) as unknown as _NativeStream;
    const handle = stream._handle;
    if (
      handle === null || typeof handle.writeSync !== "function" ||
      !(stream._writeState instanceof Uint32Array)
    ) {
      throw new Error("Cannot create zlib stream: node:zlib has no synchronous native handle");
    }
    this.#stream = stream;
    this.#handle = handle;
    this.#state = stream._writeState;
    handle.onerror = (message) => {
      this.#error = message;
    };
  }

  /**
   * Feeds `input` with a sync flush, calling `onOutput` with each piece of output (a view over a
   * shared scratch buffer: copy it before returning). Returns whether the stream ended (an
   * inflated BFINAL block) before all input was consumed.
   *
   * @throws {Error} with zlib's message for corrupt input; whatever `onOutput` throws.
   */
  write(input: Uint8Array, onOutput: (bytes: Uint8Array) => void): boolean {
    const handle = this.#handle;
    const state = this.#state;
    let inOff = 0;
    let inLen = input.length;
    for (;;) {
      handle.writeSync(_Z_SYNC_FLUSH, input, inOff, inLen, _scratch, 0, _scratch.length);
      if (this.#error !== undefined) {
        const message = this.#error;
        this.#error = undefined;
        throw new Error(message);
      }
      const availOut = state[0]!;
      const availIn = state[1]!;
      if (availOut < _scratch.length) onOutput(_scratch.subarray(0, _scratch.length - availOut));
      inOff += inLen - availIn;
      inLen = availIn;
      // Output space left over means zlib is done with this input: either all of it was
      // consumed, or the stream ended and the rest is trailing data.
      if (availOut !== 0) return inLen > 0;
    }
  }

  /** Forgets the window and any partial state, keeping the allocation. */
  reset(): void {
    this.#error = undefined;
    this.#handle.reset();
  }

  /** Frees the native stream. */
  close(): void {
    this.#stream.close();
  }
}

/**
 * Compresses one whole message with `stream` (sync flush) and returns the bytes to send: the
 * output without the trailing `00 00 ff ff` of the flush's empty stored block (RFC 7692 §7.2.1).
 * The input must not be empty (a sync flush with no input makes zlib fail).
 */
export function _deflateMessage(stream: _ZlibStream, payload: Uint8Array): Uint8Array {
  const pieces: Uint8Array[] = [];
  let length = 0;
  stream.write(payload, (bytes) => {
    pieces.push(bytes.slice());
    length += bytes.length;
  });
  return _concat(pieces, length).subarray(0, length - 4);
}

/**
 * Compresses one whole message without context (no takeover): on the shared stream of its
 * configuration, which forgets the message afterwards.
 */
export function _deflateAlone(options: _ZlibOptions, payload: Uint8Array): Uint8Array {
  const stream = _sharedStream("deflate", options);
  try {
    return _deflateMessage(stream, payload);
  } finally {
    stream.reset();
  }
}

/** Copies and joins output pieces. */
export function _concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

// Streams used by connections without context takeover: the state is reset after every message,
// so one stream per configuration serves every connection (the code is synchronous).
const _shared = new Map<string, _ZlibStream>();

/** A shared stream for messages compressed or inflated without context takeover. */
export function _sharedStream(kind: "deflate" | "inflate", options: _ZlibOptions): _ZlibStream {
  const key = `${kind}/${options.windowBits}/${options.level}/${options.memLevel}`;
  let stream = _shared.get(key);
  if (stream === undefined) {
    stream = new _ZlibStream(kind, options);
    _shared.set(key, stream);
  }
  return stream;
}
