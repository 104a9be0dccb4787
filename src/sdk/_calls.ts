import type { ClientEnvelope, EnvelopeId } from "../messaging/envelope.ts";
import { type ErrorBody, RpcError } from "../messaging/errors.ts";
import type { Clock } from "./clock.ts";
import { OfflineQueue, type OfflineQueueOptions } from "./offline_queue.ts";

interface _Call {
  envelope: ClientEnvelope;
  deadline: number;
  sent: boolean;
  // Publications without ack settle once written.
  settleOnSend: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/** @internal Options of one call. */
export interface _CallOptions {
  timeout: number;
  signal?: AbortSignal | undefined;
}

/**
 * @internal Calls waiting for the connection (in the bounded offline queue) or for their
 * answer: publications, requests, presence operations. Each has a deadline (time in the queue
 * counts) and may be cancelled by a signal.
 */
export class _Calls {
  readonly #clock: Clock;
  readonly #send: (envelope: ClientEnvelope) => boolean;
  readonly #nextId: () => number;
  readonly #queue: OfflineQueue<_Call>;
  readonly #pending = new Map<EnvelopeId, _Call>();

  constructor(
    clock: Clock,
    queue: OfflineQueueOptions,
    send: (envelope: ClientEnvelope) => boolean,
    nextId: () => number,
  ) {
    this.#clock = clock;
    this.#queue = new OfflineQueue(queue);
    this.#send = send;
    this.#nextId = nextId;
  }

  /** Calls waiting in the offline queue. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Sends `envelope` now when `open`, else queues it; settles with the answer's value. */
  call(
    envelope: ClientEnvelope,
    options: _CallOptions,
    settleOnSend: boolean,
    open: boolean,
  ): Promise<unknown> {
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(timeout > 0)) {
      return Promise.reject(new RangeError(`Cannot send: invalid timeout ${timeout}`));
    }
    const clock = this.#clock;
    return new Promise((resolve, reject) => {
      const id = this.#nextId();
      if (!settleOnSend) (envelope as { id: EnvelopeId }).id = id;
      const timer = clock.setTimeout(() => {
        this.#settle(
          call,
          new RpcError("timeout", `Cannot complete: no answer within ${timeout} ms`),
        );
      }, timeout);
      const onAbort = () => this.#settle(call, signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const call: _Call = {
        envelope,
        deadline: clock.now() + timeout,
        sent: false,
        settleOnSend,
        resolve,
        reject,
        cleanup: () => {
          clock.clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          this.#pending.delete(id);
          this.#queue.remove(call);
        },
      };
      if (!settleOnSend) this.#pending.set(id, call);
      if (open) return this.#transmit(call);
      const pushed = this.#queue.push(call);
      const full = () => new RpcError("limit_exceeded", "Cannot queue: the offline queue is full");
      if (!pushed.accepted) this.#settle(call, full());
      else if (pushed.evicted !== undefined) this.#settle(pushed.evicted, full());
    });
  }

  /** Sends every queued call, oldest first. */
  flush(): void {
    for (const call of this.#queue.drain()) this.#transmit(call);
  }

  /**
   * Settles the call `id` answers, if it is pending: with `value`, or with an
   * {@linkcode RpcError} for an `error` body. `false` when no call waits for `id`.
   */
  answer(id: EnvelopeId, value: unknown, error: ErrorBody | undefined): boolean {
    const call = this.#pending.get(id);
    if (call === undefined) return false;
    if (error !== undefined && typeof error === "object" && error !== null) {
      this.#settle(
        call,
        new RpcError(String(error.code), String(error.message), { data: error.data }),
      );
    } else {
      this.#settle(call, value, true);
    }
    return true;
  }

  /** Fails every call already written (the connection that carried it is gone). */
  failSent(error: unknown): void {
    for (const call of [...this.#pending.values()]) if (call.sent) this.#settle(call, error);
  }

  /** Fails every call, queued or written. */
  failAll(error: unknown): void {
    for (const call of this.#queue.drain()) this.#settle(call, error);
    for (const call of [...this.#pending.values()]) this.#settle(call, error);
  }

  #transmit(call: _Call): void {
    if (call.envelope.type === "request") {
      // Tell the server how long the caller still waits (time in the queue counts).
      const left = Math.ceil(call.deadline - this.#clock.now());
      call.envelope.timeout = Math.min(2 ** 31 - 1, Math.max(1, left));
    }
    call.sent = this.#send(call.envelope);
    if (!call.sent) {
      this.#settle(
        call,
        new RpcError("unavailable", "Cannot send: the connection refused the message"),
      );
    } else if (call.settleOnSend) {
      this.#settle(call, undefined, true);
    }
  }

  #settle(call: _Call, value: unknown, ok = false): void {
    call.cleanup();
    if (ok) call.resolve(value);
    else call.reject(value);
  }
}
