import type { ClientKeepaliveOptions } from "./client_options.ts";
import type { Clock, TimerHandle } from "./clock.ts";

/** @internal What {@linkcode _Keepalive} needs from the client. */
export interface _KeepaliveHooks {
  /** When the last envelope arrived (clock time). */
  lastHeard(): number;
  /** Sends a probe request; `false` when it could not be written. */
  probe(method: string, timeout: number): boolean;
  /** The connection is silent: replace it. */
  dead(): void;
}

/**
 * @internal Detects a silently dead connection: after `interval` ms without any envelope it
 * sends a probe; when nothing at all arrives within `timeout` ms after it, the connection is
 * declared dead.
 */
export class _Keepalive {
  readonly #options: Required<ClientKeepaliveOptions> | false;
  readonly #clock: Clock;
  readonly #hooks: _KeepaliveHooks;
  #timer: TimerHandle | undefined;

  constructor(
    options: Required<ClientKeepaliveOptions> | false,
    clock: Clock,
    hooks: _KeepaliveHooks,
  ) {
    this.#options = options;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  /** Starts watching the current connection. */
  start(): void {
    const options = this.#options;
    if (options === false) return;
    this.stop();
    const check = () => {
      const idle = this.#clock.now() - this.#hooks.lastHeard();
      if (idle < options.interval) {
        this.#timer = this.#clock.setTimeout(check, options.interval - idle);
      } else this.probe();
    };
    this.#timer = this.#clock.setTimeout(check, options.interval);
  }

  /** Probes now (for example when the network came back). */
  probe(): void {
    const options = this.#options;
    if (options === false) return;
    this.stop();
    const sentAt = this.#clock.now();
    if (!this.#hooks.probe(options.method, options.timeout)) return;
    this.#timer = this.#clock.setTimeout(() => {
      if (this.#hooks.lastHeard() >= sentAt) this.start();
      else this.#hooks.dead();
    }, options.timeout);
  }

  /** Stops watching. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
