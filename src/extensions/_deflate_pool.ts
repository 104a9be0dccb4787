// A pool of compression workers: large messages are deflated on other threads, so that one
// connection's zlib work does not hold up every other connection's I/O and compression uses
// every core. Each connection (lease) sticks to one worker, which keeps its compression context
// and runs its messages in order.
//
// Workers start when the first lease needs one and stop when the last lease closes. A worker
// takes tens of milliseconds to start, so until it says it is ready its leases' jobs run on the
// main thread; a context that moves to the worker then starts there afresh. When a
// worker cannot start or dies, its unfinished jobs and every later job of its leases run on the
// main thread instead, each lost context starting afresh: a compressor that forgets its window
// stays valid for the peer (RFC 7692 lets a sender reference earlier messages; it never has to).
import {
  _DeflateContexts,
  type _DeflateFree,
  type _DeflateJob,
  type _DeflateReply,
} from "./_deflate_jobs.ts";
import type { _ZlibOptions } from "./_zlib.ts";

/** One connection's share of a {@linkcode _DeflatePool}. */
export interface _DeflateLease {
  /**
   * Compresses `payload` (not empty, not modified until the promise settles) after every
   * earlier message of this lease, returning the bytes without the sync flush's tail. With
   * `takeover`, the lease's context keeps its window across messages unless `reset` is set.
   */
  deflate(
    payload: Uint8Array,
    options: _ZlibOptions,
    takeover: boolean,
    reset: boolean,
  ): Promise<Uint8Array>;
  /** Frees the lease's context. Safe to call twice. */
  close(): void;
}

interface _Pending {
  job: _DeflateJob;
  resolve: (payload: Uint8Array) => void;
  reject: (error: Error) => void;
}

interface _Slot {
  worker: Worker | null;
  // Jobs sent and not answered yet, in the order they were sent.
  pending: Map<number, _Pending>;
  // Whether this slot's jobs run on the main thread (its worker could not start or died).
  local: boolean;
  // Whether the worker has loaded; before that, jobs run on the main thread.
  ready: boolean;
  // Contexts whose last job ran on the main thread while the worker was starting.
  early: Set<number>;
}

/** A pool of up to `size` compression workers; see the module comment. */
export class _DeflatePool {
  readonly size: number;
  #url: URL;
  #slots: _Slot[] = [];
  #leases = 0;
  #next = 0;
  #nextJob = 1;
  #nextContext = 1;
  #local = new _DeflateContexts();

  constructor(size: number, url = new URL("./_deflate_worker.ts", import.meta.url)) {
    this.size = size;
    this.#url = url;
  }

  /** Workers running now and ready for jobs. */
  get workers(): number {
    return this.#slots.filter((slot) => slot.worker !== null && slot.ready).length;
  }

  /** Opens a lease on the next worker in turn. */
  lease(): _DeflateLease {
    this.#leases++;
    const index = this.#next;
    this.#next = (this.#next + 1) % this.size;
    const context = this.#nextContext++;
    let closed = false;
    return {
      deflate: (payload, options, takeover, reset) => {
        if (closed) return Promise.reject(new Error("Cannot deflate: the lease is closed"));
        const job: _DeflateJob = {
          kind: "deflate",
          job: this.#nextJob++,
          context: takeover ? context : 0,
          reset,
          options,
          payload,
        };
        return this.#run(this.#slot(index), job);
      },
      close: () => {
        if (closed) return;
        closed = true;
        const slot = this.#slots[index];
        slot?.early.delete(context);
        if (slot?.worker != null) {
          const free: _DeflateFree = { kind: "free", context };
          slot.worker.postMessage(free);
        }
        this.#local.free(context);
        if (--this.#leases === 0) this.#stop();
      },
    };
  }

  #slot(index: number): _Slot {
    let slot = this.#slots[index];
    if (slot === undefined) {
      slot = { worker: null, pending: new Map(), local: false, ready: false, early: new Set() };
      this.#slots[index] = slot;
      this.#start(slot);
    }
    return slot;
  }

  #start(slot: _Slot): void {
    // Without permission to load the worker's module, starting one would only print an error.
    if (!_mayLoad(this.#url)) {
      slot.local = true;
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(this.#url, { type: "module" });
    } catch {
      // No workers here (or no permission to start one): compress on the main thread.
      slot.local = true;
      return;
    }
    slot.worker = worker;
    worker.onmessage = ({ data }: MessageEvent<_DeflateReply>) => {
      if (data.ready === true) {
        slot.ready = true;
        return;
      }
      const pending = slot.pending.get(data.job);
      if (pending === undefined) return;
      slot.pending.delete(data.job);
      if (data.error !== undefined) pending.reject(new Error(data.error));
      else pending.resolve(data.payload);
    };
    const lose = (event: Event) => {
      // Handled here: an error left unhandled in a worker would end the whole process.
      event.preventDefault();
      this.#lose(slot);
    };
    worker.onerror = lose;
    worker.onmessageerror = lose;
  }

  #run(slot: _Slot, job: _DeflateJob): Promise<Uint8Array> {
    if (slot.local || slot.worker === null) return this.#runLocally(job);
    if (!slot.ready) {
      if (job.context !== 0) slot.early.add(job.context);
      return this.#runLocally(job);
    }
    if (slot.early.delete(job.context)) {
      // The context's window is on the main thread: the worker's starts empty.
      job.reset = true;
      this.#local.free(job.context);
    }
    return new Promise((resolve, reject) => {
      slot.pending.set(job.job, { job, resolve, reject });
      // Copied, not transferred: the payload stays here until its answer comes, in case the
      // worker is lost and the job must run on the main thread.
      slot.worker!.postMessage(job);
    });
  }

  #runLocally(job: _DeflateJob): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.#local.run(job));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // The worker is gone with its contexts: its unanswered jobs run here, in order, each context
  // starting afresh (a new local context for an unknown id), and so does every later job.
  #lose(slot: _Slot): void {
    slot.worker?.terminate();
    slot.worker = null;
    slot.local = true;
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    for (const { job, resolve, reject } of pending) {
      this.#runLocally(job).then(resolve, reject);
    }
  }

  // No lease is left: the workers end (an idle worker would keep the process alive).
  #stop(): void {
    for (const slot of this.#slots) slot.worker?.terminate();
    this.#slots = [];
    this.#next = 0;
    this.#local.close();
  }
}

// Whether this process may load the worker module: reading it (a local file) or importing from
// its host (a published package). Runtimes without Deno's permission API just try.
function _mayLoad(url: URL): boolean {
  const permissions = (globalThis as { Deno?: { permissions?: Deno.Permissions } }).Deno
    ?.permissions;
  if (permissions === undefined) return true;
  const descriptor: Deno.PermissionDescriptor = url.protocol === "file:"
    ? { name: "read", path: url }
    : { name: "import", host: url.host };
  try {
    return permissions.querySync(descriptor).state === "granted";
  } catch {
    return true;
  }
}
