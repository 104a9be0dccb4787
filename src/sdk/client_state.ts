import type { PresenceMember } from "../messaging/envelope.ts";
import type { ErrorBody } from "../messaging/errors.ts";
import type { BreakerState } from "./circuit_breaker.ts";

/**
 * States of an {@linkcode AeroClient}: `connecting` for the first attempt, `open` once the
 * server has welcomed the client, `reconnecting` after a loss (including while waiting for the
 * next attempt), `closed` for good.
 *
 * @example
 * ```ts
 * import { CLIENT_STATE } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CLIENT_STATE.RECONNECTING, "reconnecting");
 * ```
 */
export const CLIENT_STATE = {
  /** The first connection attempt is under way. */
  CONNECTING: "connecting",
  /** Connected and welcomed; publications and requests go out at once. */
  OPEN: "open",
  /** The connection was lost or an attempt failed; the next attempt is scheduled or running. */
  RECONNECTING: "reconnecting",
  /** Closed for good: by `close()`, by the retry limit, or refused by the server. */
  CLOSED: "closed",
} as const;

/** One of the {@linkcode CLIENT_STATE} values. */
export type ClientState = typeof CLIENT_STATE[keyof typeof CLIENT_STATE];

/**
 * Why the client changed state, in {@linkcode StateChange.reason}.
 *
 * @example
 * ```ts
 * import { STATE_REASON } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * assert.equal(STATE_REASON.KEEPALIVE_TIMEOUT, "keepalive_timeout");
 * ```
 */
export const STATE_REASON = {
  /** `close()` was called. */
  CLIENT_CLOSED: "client_closed",
  /** The connection closed or broke (`code` says how). */
  CONNECTION_LOST: "connection_lost",
  /** Nothing was heard from the server within the keepalive timeout. */
  KEEPALIVE_TIMEOUT: "keepalive_timeout",
  /** An attempt failed (network error, refused handshake, no `welcome` in time). */
  CONNECT_FAILED: "connect_failed",
  /** The circuit breaker is open; the next attempt waits for its cooldown. */
  CIRCUIT_OPEN: "circuit_open",
  /** `reconnect.maxAttempts` consecutive attempts failed. */
  RETRY_LIMIT: "retry_limit",
  /** The server refused the `connect` envelope (`forbidden`). */
  FORBIDDEN: "forbidden",
} as const;

/** One of the {@linkcode STATE_REASON} values. */
export type StateReason = typeof STATE_REASON[keyof typeof STATE_REASON];

/** A state transition, as passed to `on("state", …)` listeners. */
export interface StateChange {
  /** The new state. */
  state: ClientState;
  /** Why, for `reconnecting` and `closed`. */
  reason?: StateReason;
  /** The close code of the lost connection, when there was one. */
  code?: number;
  /** The error behind a failed attempt. */
  error?: unknown;
  /** Consecutive failed attempts so far (for `reconnecting`). */
  attempt?: number;
  /** Milliseconds until the next attempt (for `reconnecting`). */
  delay?: number;
}

/**
 * How a topic came through a reconnection, as passed to `on("recovery", …)` listeners.
 * `recovered: false` means messages may have been missed and the application should
 * resynchronise (for example, reload the history).
 */
export interface RecoveryEvent {
  /** The topic (or pattern) subscribed again. */
  topic: string;
  /** `true` when every missed message was (or is about to be) delivered. */
  recovered: boolean;
  /**
   * `resumed`: complete recovery; `evicted`: the server no longer had every missed message;
   * `epoch`: the topic's history was reset (new epoch); `gap`: a live delivery skipped
   * offsets; `pattern`: wildcard subscriptions cannot be recovered.
   */
  reason: "resumed" | "evicted" | "epoch" | "gap" | "pattern";
}

/** Summary of one reconnection, once every topic has been subscribed again. */
export interface ResumeEvent {
  /** `true` when every topic recovered completely. */
  complete: boolean;
  /** The outcome per topic. */
  topics: RecoveryEvent[];
  /** Whether the server kept the session id (see `welcome.resumed`). */
  sessionResumed: boolean;
}

/** A presence change in a subscribed topic. */
export interface PresenceEvent<Data = unknown> {
  /** `joined` or `left`. */
  type: "joined" | "left";
  /** The topic. */
  topic: string;
  /** The member. */
  member: TypedPresenceMember<Data>;
}

/** A {@linkcode PresenceMember} with typed data. */
export type TypedPresenceMember<Data = unknown> = Omit<PresenceMember, "data"> & { data?: Data };

/** Every event of an {@linkcode AeroClient} and its payload. */
export interface ClientEvents<PresenceData = unknown> {
  /** State transitions. */
  state: StateChange;
  /** Per-topic outcome of a reconnection, and live gaps. */
  recovery: RecoveryEvent;
  /** All topics subscribed again after a reconnection. */
  resumed: ResumeEvent;
  /** Presence changes in subscribed topics. */
  presence: PresenceEvent<PresenceData>;
  /** Circuit breaker transitions. */
  breaker: BreakerState;
  /** Server errors that answer nothing the application is waiting for. */
  error: ErrorBody;
}
