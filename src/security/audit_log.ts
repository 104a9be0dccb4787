import { getLogger } from "@logtape/logtape";
import { type Clock, SYSTEM_CLOCK } from "../limits/clock.ts";

/** Kinds of security events. */
export const AUDIT_EVENT_TYPE = {
  /** A credential was missing or refused (before the upgrade or on refresh). */
  AUTH_FAILURE: "auth_failure",
  /** The `Origin` was not allowed. */
  ORIGIN_REJECTED: "origin_rejected",
  /** The CSRF token did not match. */
  CSRF_REJECTED: "csrf_rejected",
  /** A rate limit was exceeded (`limit` names which). */
  RATE_LIMIT: "rate_limit",
  /** An address was banned. */
  BAN: "ban",
  /** A ban was lifted through the API. */
  BAN_LIFTED: "ban_lifted",
  /** A connection was failed for a protocol error (close code 1002, 1007 or 1009). */
  PROTOCOL_VIOLATION: "protocol_violation",
  /** A connection's credential expired and it was closed with 1008. */
  TOKEN_EXPIRED: "token_expired",
  /** An action was refused by the principal's permissions. */
  PERMISSION_DENIED: "permission_denied",
} as const;

/** One of {@linkcode AUDIT_EVENT_TYPE}. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPE)[keyof typeof AUDIT_EVENT_TYPE];

/** A structured security event. */
export interface AuditEvent {
  /** What happened. */
  type: AuditEventType;
  /** When (ms since the epoch). */
  timestamp: number;
  /** The client's IP address. */
  ip: string;
  /** The connection (or refused handshake) id. */
  connectionId: string | undefined;
  /** Why, in a few words. */
  reason: string;
  /** The HTTP status answered, for refusals before the upgrade. */
  status?: number;
  /** The close code, for connections closed after the upgrade. */
  closeCode?: number;
  /** Which rate limit, for `rate_limit` events. */
  limit?: string;
  /** The principal's subject, when known. */
  subject?: string;
}

/** An event as passed to {@linkcode AuditLog.record}: the timestamp is added. */
export type AuditEventInit = Omit<AuditEvent, "timestamp">;

/**
 * The security event stream. Each event is logged through LogTape under `["aero", "audit"]`
 * (silent unless the application configures a sink), passed to `subscribe` listeners, and
 * queued for `events()` iterators (bounded: the oldest are dropped, and counted, when a reader
 * falls behind).
 *
 * @example
 * ```ts
 * import { AuditLog } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const audit = new AuditLog();
 * const seen: string[] = [];
 * const stop = audit.subscribe((event) => seen.push(event.type));
 * audit.record({ type: "auth_failure", ip: "203.0.113.5", connectionId: "c1", reason: "token expired" });
 * stop();
 * assert.deepEqual(seen, ["auth_failure"]);
 * ```
 */
export class AuditLog {
  readonly #clock: Clock;
  readonly #logger = getLogger(["aero", "audit"]);
  readonly #listeners = new Set<(event: AuditEvent) => void>();
  #dropped = 0;

  /** An audit log; `clock` stamps the events. */
  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Events dropped because an `events()` reader fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records an event; listeners that throw are ignored. */
  record(init: AuditEventInit): AuditEvent {
    const event: AuditEvent = { ...init, timestamp: this.#clock.now() };
    this.#logger.warn("{type} from {ip}: {reason}", { ...event });
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // One broken listener must not silence the others.
      }
    }
    return event;
  }

  /** Calls `listener` for every event; returns the function that unsubscribes. */
  subscribe(listener: (event: AuditEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The events from now on as an async iterable, buffering at most `bufferSize` (default
   * `1024`); ends when `signal` aborts or the loop breaks.
   *
   * @example
   * ```ts
   * import { AuditLog } from "@aero/socket/security";
   * import assert from "node:assert/strict";
   *
   * const audit = new AuditLog();
   * const controller = new AbortController();
   * const events = audit.events({ signal: controller.signal });
   * audit.record({ type: "ban", ip: "203.0.113.5", connectionId: undefined, reason: "auth failure" });
   * for await (const event of events) {
   *   assert.equal(event.type, "ban");
   *   break;
   * }
   * ```
   */
  events(
    options: { signal?: AbortSignal; bufferSize?: number } = {},
  ): AsyncIterableIterator<AuditEvent> {
    const size = options.bufferSize ?? 1024;
    const queue: AuditEvent[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const stop = () => {
      done = true;
      unsubscribe();
      wake?.();
    };
    const unsubscribe = this.subscribe((event) => {
      if (queue.length >= size) {
        queue.shift();
        this.#dropped++;
      }
      queue.push(event);
      wake?.();
    });
    options.signal?.addEventListener("abort", stop, { once: true });
    if (options.signal?.aborted) stop();
    const iterator: AsyncIterableIterator<AuditEvent> = {
      async next(): Promise<IteratorResult<AuditEvent>> {
        while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const event = queue.shift();
        return event === undefined
          ? { done: true, value: undefined }
          : { done: false, value: event };
      },
      return(): Promise<IteratorResult<AuditEvent>> {
        stop();
        queue.length = 0;
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
