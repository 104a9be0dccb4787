import { encodedFrameSize, encodeFrameInto } from "../protocol/frame_encoder.ts";
import type { Frame } from "../protocol/frame.ts";

// Frames are encoded into reusable slabs; one transport write carries everything queued since
// the previous write, so a burst of replies costs one system call. 64 KiB matches the socket
// read size, so a batch of echoes for one read usually fits one slab.
const _SLAB_SIZE = 64 * 1024;
// Slabs kept for reuse once their write has completed. The pool is shared by every connection
// of the process, so an idle connection holds no slab at all and memory per connection stays
// small however many connections once sent something; 32 slabs (2 MiB) cover the connections
// that write within one turn of the event loop.
const _MAX_FREE_SLABS = 32;
const _free: Uint8Array[] = [];

/**
 * The outbound half of a connection: encodes frames into buffers, keeps at most one write in
 * flight, and coalesces everything queued meanwhile into the next write.
 */
export class _Outbound {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #mask: boolean;
  #onError: (error: unknown) => void;
  #slab: Uint8Array | null = null;
  #used = 0;
  // Filled chunks waiting for the transport, in order. `true` marks a reusable slab.
  #queue: [Uint8Array, boolean][] = [];
  #queued = 0;
  #inFlight = 0;
  #writing = false;
  #waiters: { threshold: number; resolve: () => void }[] = [];
  #failed = false;

  constructor(
    writer: WritableStreamDefaultWriter<Uint8Array>,
    mask: boolean,
    onError: (error: unknown) => void,
  ) {
    this.#writer = writer;
    this.#mask = mask;
    this.#onError = onError;
  }

  /** Bytes accepted but not yet handed to the transport or not yet written by it. */
  get bufferedAmount(): number {
    return this.#used + this.#queued + this.#inFlight;
  }

  /** Encodes a frame at the end of the queue (it is written on the next {@linkcode flush}). */
  push(frame: Frame): void {
    if (this.#failed) return;
    const size = encodedFrameSize(frame.payload.length, this.#mask);
    if (this.#slab === null || this.#used + size > this.#slab.length) {
      this.#seal();
      this.#slab = size <= _SLAB_SIZE
        ? (_free.pop() ?? new Uint8Array(_SLAB_SIZE))
        : new Uint8Array(size);
    }
    this.#used = encodeFrameInto(frame, this.#slab, this.#used, { mask: this.#mask });
  }

  /**
   * Queues bytes that are already one or more complete encoded frames (fan-out: the same bytes
   * go to many connections). Small frames are copied into the slab so writes stay coalesced;
   * large ones are queued as they are, never modified.
   */
  pushEncoded(bytes: Uint8Array): void {
    if (this.#failed) return;
    if (bytes.length > _SLAB_SIZE / 4) {
      this.#seal();
      this.#queue.push([bytes, false]);
      this.#queued += bytes.length;
      return;
    }
    if (this.#slab === null || this.#used + bytes.length > this.#slab.length) {
      this.#seal();
      this.#slab = _free.pop() ?? new Uint8Array(_SLAB_SIZE);
    }
    this.#slab.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** Starts writing whatever is queued, unless a write is already in flight. */
  flush(): void {
    this.#seal();
    if (this.#writing || this.#failed || this.#queue.length === 0) return;
    this.#writeNext();
  }

  /** Resolves once `bufferedAmount` is at or below `threshold`. */
  drained(threshold = 0): Promise<void> {
    if (this.bufferedAmount <= threshold || this.#failed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ threshold, resolve }));
  }

  /** Drops everything not yet handed to the transport. */
  discard(): void {
    this.#slab = null;
    this.#used = 0;
    this.#queue = [];
    this.#queued = 0;
    this.#wake();
  }

  /** Stops all writing (the transport failed or was aborted). */
  fail(): void {
    this.#failed = true;
    this.discard();
    this.#inFlight = 0;
    this.#wake();
  }

  // Moves the current slab's bytes to the queue.
  #seal(): void {
    if (this.#slab === null || this.#used === 0) return;
    const reusable = this.#slab.length === _SLAB_SIZE;
    this.#queue.push([this.#slab.subarray(0, this.#used), reusable]);
    this.#queued += this.#used;
    this.#slab = null;
    this.#used = 0;
  }

  #writeNext(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#writing = false;
      this.#wake();
      return;
    }
    const [chunk, reusable] = next;
    this.#writing = true;
    this.#queued -= chunk.length;
    this.#inFlight = chunk.length;
    this.#writer.write(chunk).then(
      () => {
        if (this.#failed) return;
        this.#inFlight = 0;
        this.#wake();
        if (reusable && _free.length < _MAX_FREE_SLABS) {
          _free.push(new Uint8Array(chunk.buffer, 0, _SLAB_SIZE));
        }
        this.#seal();
        this.#writeNext();
      },
      (error) => {
        this.fail();
        this.#onError(error);
      },
    );
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const amount = this.bufferedAmount;
    const waiting: { threshold: number; resolve: () => void }[] = [];
    for (const waiter of this.#waiters) {
      if (amount <= waiter.threshold || this.#failed) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
  }
}
