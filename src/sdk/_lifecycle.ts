import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { RpcError } from "../messaging/errors.ts";
import { backoffDelay } from "./backoff.ts";
import type { CircuitBreaker } from "./circuit_breaker.ts";
import type { _ResolvedClientOptions } from "./client_options.ts";
import { CLIENT_STATE, type ClientState, STATE_REASON, type StateChange } from "./client_state.ts";
import type { _Calls } from "./_calls.ts";
import type { _Emitter } from "./_emitter.ts";
import type { _Keepalive } from "./_keepalive.ts";
import type { _Link, _Loss } from "./_link.ts";
import type { _Session } from "./_session.ts";
import type { _Subscriptions } from "./_subscriptions.ts";

/** @internal The parts of the client {@linkcode _Lifecycle} drives. */
export interface _LifecycleParts {
  readonly breaker: CircuitBreaker;
  readonly link: _Link;
  readonly session: _Session;
  readonly subs: _Subscriptions;
  readonly calls: _Calls;
  readonly keepalive: _Keepalive;
  readonly events: _Emitter;
  /** The client's `online` listener, removed once closed. */
  readonly onOnline: () => void;
  /** Sends `join` again for every topic the client is present in. */
  rejoin(): void;
}

/**
 * @internal The client's connection state over time: connects, serves each established
 * connection until it is lost, connects again after an exponential backoff with full jitter
 * behind the circuit breaker, and closes for good when asked, refused or out of attempts.
 */
export class _Lifecycle {
  readonly #options: _ResolvedClientOptions;
  readonly #parts: _LifecycleParts;
  #state: ClientState = CLIENT_STATE.CONNECTING;
  #wake: (() => void) | undefined;
  #closedResolve!: () => void;
  readonly #closed = new Promise<void>((resolve) => (this.#closedResolve = resolve));

  constructor(options: _ResolvedClientOptions, parts: _LifecycleParts) {
    this.#options = options;
    this.#parts = parts;
  }

  /** The connection state. */
  get state(): ClientState {
    return this.#state;
  }

  /** Resolves once the client is closed for good. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Whether the client is closed for good. A method, not a field comparison: the state
   * changes behind the compiler's back (awaits).
   */
  isClosed(): boolean {
    return this.#state === CLIENT_STATE.CLOSED;
  }

  /** Connects, and connects again whenever the connection is lost, until closed. */
  async run(): Promise<void> {
    const { breaker, events } = this.#parts;
    events.emit("state", { state: CLIENT_STATE.CONNECTING });
    let failures = 0;
    const { reconnect, random } = this.#options;
    const reconnecting = { state: CLIENT_STATE.RECONNECTING };
    while (!this.isClosed()) {
      if (!breaker.tryAcquire()) {
        const delay = breaker.retryIn();
        this.#setState({
          ...reconnecting,
          reason: STATE_REASON.CIRCUIT_OPEN,
          attempt: failures,
          delay,
        });
        await this.#sleep(delay);
        continue;
      }
      const result = await this.#parts.link.connect();
      if (this.isClosed()) {
        if (result.ok) result.conn.close(1000);
        break;
      }
      if (!result.ok) {
        failures++;
        breaker.recordFailure();
        const { error } = result;
        if (result.forbidden) {
          this.finish({ state: CLIENT_STATE.CLOSED, reason: STATE_REASON.FORBIDDEN, error });
        } else if (failures >= reconnect.maxAttempts) {
          const reason = STATE_REASON.RETRY_LIMIT;
          this.finish({ state: CLIENT_STATE.CLOSED, reason, error, attempt: failures });
        } else {
          const delay = backoffDelay(failures - 1, reconnect, random);
          const reason = STATE_REASON.CONNECT_FAILED;
          this.#setState({ ...reconnecting, reason, error, attempt: failures, delay });
          await this.#sleep(delay);
        }
        continue;
      }
      failures = 0;
      breaker.recordSuccess();
      const loss = await this.#serve(result.conn, result.lost);
      if (this.isClosed()) break;
      const delay = backoffDelay(0, reconnect, random);
      this.#setState({ ...reconnecting, ...loss, attempt: 0, delay });
      await this.#sleep(delay);
    }
    this.#closedResolve();
  }

  /** Ends the current backoff wait now. */
  wake(): void {
    this.#wake?.();
  }

  /** Closes the client for good with `change`: pending calls fail with `cancelled`. */
  finish(change: StateChange): void {
    const { calls, keepalive, link } = this.#parts;
    this.#setState(change);
    this.#options.onlineEvents?.removeEventListener("online", this.#parts.onOnline);
    keepalive.stop();
    const error = new RpcError("cancelled", "Cannot complete: the client is closed");
    calls.failAll(error);
    link.abort(error);
    link.close();
    link.lose({ reason: STATE_REASON.CLIENT_CLOSED });
    this.#wake?.();
  }

  // Runs an established connection until it is lost.
  async #serve(conn: WebSocketConnection, lost: Promise<_Loss>): Promise<_Loss> {
    const { calls, keepalive, link, session, subs } = this.#parts;
    link.serve(conn);
    // Order on the wire: subscriptions, presence, then what waited in the offline queue.
    subs.resubscribe(session.resumed);
    this.#parts.rejoin();
    calls.flush();
    this.#setState({ state: CLIENT_STATE.OPEN });
    keepalive.start();
    const loss = await lost;
    keepalive.stop();
    link.drop();
    subs.reset();
    if (loss.reason !== STATE_REASON.CONNECTION_LOST) conn.close(4000, loss.reason);
    calls.failSent(new RpcError("unavailable", "Cannot complete: the connection was lost"));
    return loss;
  }

  #sleep(ms: number): Promise<void> {
    if (this.isClosed()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const { clock } = this.#options;
      const timer = clock.setTimeout(() => done(), ms);
      const done = () => {
        clock.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }

  #setState(change: StateChange): void {
    this.#state = change.state;
    this.#parts.events.emit("state", change);
  }
}
