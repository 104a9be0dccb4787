// Compression of whole messages away from the connection's own code path: the jobs a deflate
// worker runs, and the contexts it keeps. The same class runs them on the main thread when no
// worker can be used, so both paths produce the same bytes.
import { _deflateAlone, _deflateMessage, type _ZlibOptions, _ZlibStream } from "./_zlib.ts";

/** One message to compress. */
export interface _DeflateJob {
  kind: "deflate";
  /** Identifies the reply. */
  job: number;
  /** The connection's compression context; `0` for a message compressed without one. */
  context: number;
  /** Whether the context must forget its window before this message. */
  reset: boolean;
  options: _ZlibOptions;
  payload: Uint8Array;
}

/** Frees a connection's context. */
export interface _DeflateFree {
  kind: "free";
  context: number;
}

/** A job's result (the compressed bytes, or zlib's error message), or the worker's "ready". */
export type _DeflateReply =
  | { job: number; payload: Uint8Array; error?: undefined; ready?: undefined }
  | { job: number; error: string; payload?: undefined; ready?: undefined }
  | { ready: true; job?: undefined };

/** The compression contexts of many connections, each kept across its messages. */
export class _DeflateContexts {
  #contexts = new Map<number, _ZlibStream>();

  /**
   * Runs one job: compresses `payload` (not empty) and returns it without the sync flush's tail.
   *
   * @throws {Error} with zlib's message.
   */
  run(job: _DeflateJob): Uint8Array {
    if (job.context === 0) return _deflateAlone(job.options, job.payload);
    let stream = this.#contexts.get(job.context);
    if (stream === undefined) {
      stream = new _ZlibStream("deflate", job.options);
      this.#contexts.set(job.context, stream);
    } else if (job.reset) {
      stream.reset();
    }
    return _deflateMessage(stream, job.payload);
  }

  /** Frees one context (unknown ones are ignored). */
  free(context: number): void {
    this.#contexts.get(context)?.close();
    this.#contexts.delete(context);
  }

  /** Frees every context. */
  close(): void {
    for (const stream of this.#contexts.values()) stream.close();
    this.#contexts.clear();
  }
}
