import { _encodeHeader, encodedFrameSize, encodeFrameInto } from "../protocol/frame_encoder.ts";
import type { Frame } from "../protocol/frame.ts";
import { _FrameRun } from "./_frame_run.ts";
import { _encodeAscii } from "../protocol/utf8.ts";
import { _releaseBuffer, _takeBuffer } from "../protocol/_buffer_pool.ts";

// Frames are encoded into reusable slabs; one transport write carries everything queued since
// the previous write, so a burst of replies costs one system call. 64 KiB matches the socket
// read size, so a batch of echoes for one read usually fits one slab.
const _SLAB_SIZE = 64 * 1024;
// Slabs kept for reuse once their write has completed. The pool is shared by every connection
// of the process, so an idle connection holds no slab at all and memory per connection stays
// small however many connections once sent something. A connection takes a slab only while it
// has a write in flight and gives it back after, so the pool must cover the connections writing
// at the same time: 64 slabs (4 MiB); beyond that, writes allocate fresh slabs.
const _MAX_FREE_SLABS = 64;
const _free: Uint8Array[] = [];
// Outbounds with frames sent outside a batch (from a timer, after an `await`…), written by one
// callback for all of them: a busy server arms one per event-loop turn, not one per connection.
// It runs right after the current turn's I/O (`setImmediate`), not after a timer: a `setTimeout(0)`
// waits at least a millisecond (measured at 1–2 ms per hop), which every RPC reply or fan-out
// delivery would pay. Where there is no `setImmediate`, a zero timer is the fallback.
// An array, not a set: a set that fills and empties every turn keeps reallocating its table.
// An outbound appears at most once (its `#scheduled` flag); one unscheduled meanwhile is skipped.
let _scheduled: _Outbound[] = [];
// How many outbounds in `_scheduled` are still scheduled.
let _live = 0;
type _Handle =
  | { kind: "immediate"; id: unknown }
  | { kind: "timeout"; id: ReturnType<typeof setTimeout> };
let _timer: _Handle | undefined;
const _immediate = globalThis as {
  setImmediate?: (fn: () => void) => unknown;
  clearImmediate?: (id: unknown) => void;
};

function _arm(): _Handle {
  if (typeof _immediate.setImmediate === "function") {
    return { kind: "immediate", id: _immediate.setImmediate(_flushScheduled) };
  }
  return { kind: "timeout", id: setTimeout(_flushScheduled, 0) };
}

// The shared flush is armed only if an outbound is still scheduled once the code that scheduled it
// has run on (a microtask later): an application that sends and then asks for its next message
// has been flushed by then (see `Connection`'s iterator), and a reply per event-loop turn would
// otherwise cost a `setImmediate` each, a good part of a lone request's CPU.
let _checkQueued = false;

function _armIfScheduled(): void {
  _checkQueued = false;
  if (_timer === undefined) _armOrForget();
}

// Arms the shared flush while an outbound is still scheduled; otherwise forgets the list, whose
// entries were all flushed meanwhile.
function _armOrForget(): void {
  if (_live > 0) _timer = _arm();
  else _scheduled.length = 0;
}

function _disarm(handle: _Handle): void {
  if (handle.kind === "timeout") clearTimeout(handle.id);
  else _immediate.clearImmediate?.(handle.id);
}

// Transport writes started since the last shared flush. Deno loses some writes when a few
// hundred socket writes start within one event-loop turn: measured with 1,000 connections sent a
// frame each from one callback, about 745 of the writes never completed and their connections
// stalled for good, while 64 per turn all complete. So writes start at most `_WRITES_PER_TURN`
// at a time, directly; past that, through the shared flush, which starts the next batch on the
// next turn. (The budget only refills there, so it bounds writes per turn whatever starts them.)
const _WRITES_PER_TURN = 64;
let _writeBudget = _WRITES_PER_TURN;

function _flushScheduled(): void {
  _timer = undefined;
  _writeBudget = _WRITES_PER_TURN;
  const list = _scheduled;
  _scheduled = [];
  let index = 0;
  while (index < list.length && _writeBudget > 0) list[index++]!._flushIfScheduled();
  // Outbounds scheduled while these flushed (out of budget) go after the ones left over here.
  if (index < list.length) _scheduled = list.slice(index).concat(_scheduled);
  _armOrForget();
}

/**
 * Where an outbound writes: a transport's `WritableStreamDefaultWriter`, or a socket written
 * directly. A write's promise settles once the sink is done with the chunk.
 */
export interface _ChunkSink {
  write(chunk: Uint8Array): Promise<void>;
}

/**
 * A sink that may write only part of a chunk (a socket's `write`): it resolves with how many
 * bytes it wrote, and the outbound writes the rest.
 */
export interface _PartialSink {
  writeSome(chunk: Uint8Array): Promise<number>;
}

/**
 * The outbound half of a connection: encodes frames into buffers, keeps at most one write in
 * flight, and coalesces everything queued meanwhile into the next write.
 */
export class _Outbound {
  #writer: _ChunkSink | null;
  #partial: _PartialSink | null;
  #mask: boolean;
  #onError: (error: unknown) => void;
  // The slab being filled: `[#start, #used)` is not queued yet. While a write of its start is in
  // flight, the next frames go after it, so a busy connection keeps one slab instead of taking a
  // fresh one per write; the slab returns to the pool once everything in it is written.
  #slab: Uint8Array | null = null;
  #start = 0;
  #used = 0;
  // Shared frames queued by fan-out since the last seal, not copied (see `_FrameRun`). Either this
  // or the slab's unqueued bytes are empty, so their order is the order of the sends.
  #run: _FrameRun | null = null;
  // Chunks waiting for the transport, in order, each with the buffer it is a view of.
  #queue: [Uint8Array, Uint8Array | null][] = [];
  #queued = 0;
  #inFlight = 0;
  #inFlightOwner: Uint8Array | null = null;
  #inFlightChunk: Uint8Array | null = null;
  // The write callbacks, made on the first write (a connection that never sends holds none).
  #onWritten: ((written: number | void) => void) | undefined;
  #onWriteFailed: ((error: unknown) => void) | undefined;
  #writing = false;
  #waiters: { threshold: number; resolve: () => void }[] = [];
  #failed = false;
  #scheduled = false;
  // Messages still being encoded (see `pushLater`), each followed by what was sent after it, in
  // order; frames here own copies of their payloads. `#generation` changes when they are dropped,
  // so an encoding that finishes afterwards is ignored.
  #held: _Held[] = [];
  #heldBytes = 0;
  #generation = 0;

  constructor(
    writer: _ChunkSink | _PartialSink,
    mask: boolean,
    onError: (error: unknown) => void,
  ) {
    const partial = "writeSome" in writer;
    this.#partial = partial ? writer : null;
    this.#writer = partial ? null : writer;
    this.#mask = mask;
    this.#onError = onError;
  }

  /** Bytes accepted but not yet handed to the transport or not yet written by it. */
  get bufferedAmount(): number {
    return this.#used - this.#start + (this.#run?.size ?? 0) + this.#queued + this.#inFlight +
      this.#heldBytes;
  }

  /** Encodes a frame at the end of the queue (it is written on the next {@linkcode flush}). */
  push(frame: Frame): void {
    if (this.#failed) return;
    if (this.#held.length > 0) {
      const copy = { ...frame, payload: frame.payload.slice() };
      this.#hold({
        frames: [copy],
        encoded: null,
        size: encodedFrameSize(copy.payload.length, this.#mask),
      });
      return;
    }
    this.#pushNow(frame);
  }

  #pushNow(frame: Frame): void {
    if (this.#run !== null) this.#sealRun();
    const size = encodedFrameSize(frame.payload.length, this.#mask);
    if (this.#slab === null || this.#used + size > this.#slab.length) {
      this.#retire();
      this.#slab = size <= _SLAB_SIZE
        ? (_free.pop() ?? new Uint8Array(_SLAB_SIZE))
        : _takeBuffer(size);
    }
    this.#used = encodeFrameInto(frame, this.#slab, this.#used, { mask: this.#mask });
  }

  /**
   * Encodes `text` as one final, unmasked text frame straight into the slab when every character
   * is ASCII (one UTF-8 byte each) and the frame fits a slab; returns `false`, having queued
   * nothing, otherwise. Only for outbounds that do not mask. No `Frame`, payload view or copy of
   * the text is made: short replies are the hottest path of a busy server.
   */
  pushAsciiText(text: string): boolean {
    if (this.#failed) return true;
    const length = text.length;
    const size = encodedFrameSize(length, false);
    if (this.#held.length > 0 || size > _SLAB_SIZE) return false;
    if (this.#run !== null) this.#sealRun();
    let slab = this.#slab;
    if (slab === null || this.#used + size > slab.length) {
      this.#retire();
      slab = this.#slab = _free.pop() ?? new Uint8Array(_SLAB_SIZE);
    }
    // FIN, text (RFC 6455 §5.2). Bytes written past `#used` are dropped if the text is not ASCII.
    const end = _encodeAscii(text, slab, _encodeHeader(slab, this.#used, 0x81, length, false));
    if (end < 0) return false;
    this.#used = end;
    return true;
  }

  /**
   * Queues bytes that are already one or more complete encoded frames (fan-out: the same bytes
   * go to many connections), never modifying or copying them here. Consecutive ones are joined
   * for a single write, once for every connection that was sent the same sequence.
   */
  pushEncoded(bytes: Uint8Array): void {
    if (this.#failed) return;
    if (this.#held.length > 0) {
      this.#hold({ frames: null, encoded: bytes, size: bytes.length });
      return;
    }
    this.#pushEncodedNow(bytes);
  }

  #pushEncodedNow(bytes: Uint8Array): void {
    this.#seal();
    const run = this.#run;
    if (run === null) {
      this.#run = _FrameRun.start(bytes);
    } else if (run.size + bytes.length <= _SLAB_SIZE) {
      this.#run = run.then(bytes);
    } else {
      this.#sealRun();
      this.#run = _FrameRun.start(bytes);
    }
  }

  /**
   * Keeps the place of a message whose frames are still being computed (an extension encoding
   * it off the main thread): every frame pushed later waits for it, and it counts `size` bytes
   * until then. `frames` must own their payloads; `null` means nothing is to be sent.
   */
  pushLater(frames: Promise<Frame[] | null>, size: number): void {
    if (this.#failed) return;
    const held: _Held = { frames: null, encoded: null, size, pending: true };
    this.#hold(held);
    const generation = this.#generation;
    frames.then((result) => {
      if (generation !== this.#generation) return;
      held.frames = result;
      held.pending = false;
      this.#release();
    }, (error) => {
      if (generation !== this.#generation) return;
      this.fail();
      this.#onError(error);
    });
  }

  #hold(held: _Held): void {
    this.#held.push(held);
    this.#heldBytes += held.size;
  }

  // Encodes the held frames that no pending message precedes any more, then writes them.
  #release(): void {
    const held = this.#held;
    let index = 0;
    while (index < held.length && held[index]!.pending !== true) index++;
    const ready = held.splice(0, index);
    for (const entry of ready) {
      this.#heldBytes -= entry.size;
      if (entry.encoded !== null) this.#pushEncodedNow(entry.encoded);
      for (const frame of entry.frames ?? []) this.#pushNow(frame);
    }
    if (ready.length > 0) this.flush();
    this.#wake();
  }

  /** Flushes soon (right after the current event-loop turn's I/O), unless flushed before. */
  schedule(): void {
    if (this.#scheduled || this.#failed) return;
    this.#scheduled = true;
    _live++;
    _scheduled.push(this);
    if (_timer === undefined && !_checkQueued) {
      _checkQueued = true;
      queueMicrotask(_armIfScheduled);
    }
  }

  /** @internal For the shared flush: flushes when still scheduled. */
  _flushIfScheduled(): void {
    if (this.#scheduled) this.flush();
  }

  #unschedule(): void {
    if (!this.#scheduled) return;
    this.#scheduled = false;
    _live--;
  }

  /**
   * Starts writing whatever is queued, unless a write is already in flight: what is queued
   * meanwhile goes out in one write when it completes.
   */
  flush(): void {
    this.#unschedule();
    if (this.#writing || this.#failed) return;
    this.#seal();
    this.#sealRun();
    if (this.#queue.length === 0) return;
    if (_writeBudget === 0) this.schedule();
    else this.#writeNext();
  }

  /** Resolves once `bufferedAmount` is at or below `threshold`. */
  drained(threshold = 0): Promise<void> {
    if (this.bufferedAmount <= threshold || this.#failed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ threshold, resolve }));
  }

  /** Drops everything not yet handed to the transport. */
  discard(): void {
    this.#held = [];
    this.#heldBytes = 0;
    this.#generation++;
    this.#slab = null;
    this.#start = 0;
    this.#used = 0;
    this.#run = null;
    this.#queue = [];
    this.#queued = 0;
    this.#wake();
  }

  /** Stops all writing (the transport failed or was aborted). */
  fail(): void {
    this.#failed = true;
    const wasScheduled = this.#scheduled;
    this.#unschedule();
    // A timer left for nothing would keep the process (and a test) waiting.
    if (wasScheduled && _live === 0 && _timer !== undefined) {
      _disarm(_timer);
      _timer = undefined;
      _scheduled.length = 0;
    }
    this.discard();
    this.#inFlight = 0;
    this.#inFlightChunk = null;
    this.#wake();
  }

  // Moves the current slab's unqueued bytes to the queue.
  #seal(): void {
    const slab = this.#slab;
    if (slab === null || this.#used === this.#start) return;
    this.#queue.push([slab.subarray(this.#start, this.#used), slab]);
    this.#queued += this.#used - this.#start;
    this.#start = this.#used;
  }

  // Moves the shared frames of the current run to the queue, joined.
  #sealRun(): void {
    const run = this.#run;
    if (run === null) return;
    this.#run = null;
    this.#queue.push([run.bytes(), null]);
    this.#queued += run.size;
  }

  // Seals the current slab and stops filling it: it is released once its last chunk is written,
  // or now when nothing of it is waiting.
  #retire(): void {
    this.#seal();
    const slab = this.#slab;
    this.#slab = null;
    this.#start = 0;
    this.#used = 0;
    if (slab !== null && !this.#pending(slab)) _release(slab);
  }

  // After a chunk of `owner` is written: releases the slab when nothing of it waits any more; the
  // current slab too (everything in it was queued by the preceding seal), so an idle connection
  // holds none.
  #written(owner: Uint8Array | null): void {
    if (owner === null || this.#pending(owner)) return;
    if (owner === this.#slab) {
      this.#slab = null;
      this.#start = 0;
      this.#used = 0;
    }
    _release(owner);
  }

  // Whether a chunk of `slab` is being written or waits to be.
  #pending(slab: Uint8Array): boolean {
    if (this.#inFlightOwner === slab) return true;
    for (const entry of this.#queue) if (entry[1] === slab) return true;
    return false;
  }

  #writeNext(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#writing = false;
      this.#wake();
      return;
    }
    const [chunk, owner] = next;
    _writeBudget--;
    this.#writing = true;
    this.#queued -= chunk.length;
    this.#inFlight = chunk.length;
    this.#inFlightOwner = owner;
    this.#startWrite(chunk);
  }

  #startWrite(chunk: Uint8Array): void {
    this.#inFlightChunk = chunk;
    const written = this.#partial !== null
      ? this.#partial.writeSome(chunk)
      : this.#writer!.write(chunk);
    written.then(
      this.#onWritten ??= (count) => this.#afterWrite(count),
      this.#onWriteFailed ??= (error) => {
        this.fail();
        this.#onError(error);
      },
    );
  }

  #afterWrite(count: number | void): void {
    if (this.#failed) return;
    const chunk = this.#inFlightChunk!;
    if (typeof count === "number" && count < chunk.length) {
      // A partial write: the rest stays in flight.
      this.#inFlight = chunk.length - count;
      this.#wake();
      this.#startWrite(chunk.subarray(count));
      return;
    }
    const owner = this.#inFlightOwner;
    this.#inFlightChunk = null;
    this.#inFlight = 0;
    this.#inFlightOwner = null;
    this.#wake();
    this.#seal();
    this.#sealRun();
    this.#written(owner);
    if (this.#queue.length > 0 && _writeBudget === 0) {
      this.#writing = false;
      this.schedule();
    } else {
      this.#writeNext();
    }
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

// A place in the outbound order: frames to encode, bytes already encoded, or (while `pending`) a
// message still being encoded.
interface _Held {
  frames: Frame[] | null;
  encoded: Uint8Array | null;
  size: number;
  pending?: boolean;
}

// Returns a buffer to the shared pools. Frames over a slab get a buffer of their own from the
// process's pool of large buffers (`_takeBuffer`), its size rounded up to a power of two, so that
// a stream of large messages allocates (and the collector frees) none per message. Like the slab
// pool, it must cover the connections writing large messages at the same time: with 16
// connections echoing 64 KiB messages (a 128 KiB buffer each), a pool of 1 MiB per size left half
// of them allocating, and the external memory they churned through set off a full collection
// every ~400 messages (every ~1,000 with the pool covering them all), costing about a third of
// the server's CPU time per message.
function _release(slab: Uint8Array): void {
  const size = slab.length;
  if (size === _SLAB_SIZE) {
    if (_free.length < _MAX_FREE_SLABS) _free.push(slab);
    return;
  }
  _releaseBuffer(slab);
}
