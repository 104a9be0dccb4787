/** A readiness check: `true` (or a promise of it) when the dependency is usable. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

/** The outcome of {@linkcode Health.readiness}. */
export interface ReadinessReport {
  /** Whether the process should receive new connections. */
  ready: boolean;
  /** `true` while a watched server drains (shuts down). */
  draining: boolean;
  /** Each registered check's result; a check that threw or timed out is `false`. */
  checks: Record<string, boolean>;
}

/** Options for {@linkcode Health}. */
export interface HealthOptions {
  /**
   * Milliseconds a readiness check may take before it counts as failed.
   *
   * @default {1_000}
   */
  checkTimeout?: number;
}

/**
 * Liveness and readiness of a process. Readiness fails while any watched server drains
 * (`server.draining`, from the moment `shutdown()` begins) or while any registered check fails,
 * for example a broker that is down; liveness only fails when the process is told so.
 *
 * @example Readiness follows a check
 * ```ts
 * import { Health } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * let brokerUp = true;
 * const health = new Health().addCheck("broker", () => brokerUp);
 * assert.equal((await health.readiness()).ready, true);
 * brokerUp = false;
 * assert.deepEqual(await health.readiness(), { ready: false, draining: false, checks: { broker: false } });
 * ```
 */
export class Health {
  readonly #servers = new Set<{ readonly draining: boolean }>();
  readonly #checks = new Map<string, ReadinessCheck>();
  readonly #timeout: number;
  #live = true;

  /** Creates a health state with no checks: live and ready. */
  constructor(options: HealthOptions = {}) {
    const timeout = options.checkTimeout ?? 1_000;
    if (!Number.isSafeInteger(timeout) || timeout < 1) {
      throw new RangeError(`Cannot create health: invalid checkTimeout ${timeout}`);
    }
    this.#timeout = timeout;
  }

  /** Makes readiness fail while `server` drains (anything with a `draining` flag). */
  watch(server: { readonly draining: boolean }): this {
    this.#servers.add(server);
    return this;
  }

  /** Registers (or replaces) a named readiness check. */
  addCheck(name: string, check: ReadinessCheck): this {
    if (typeof check !== "function") throw new TypeError("Cannot add check: not a function");
    this.#checks.set(name, check);
    return this;
  }

  /** Removes a readiness check; `true` when it existed. */
  removeCheck(name: string): boolean {
    return this.#checks.delete(name);
  }

  /** Whether the process is alive (see {@linkcode setLive}). */
  get live(): boolean {
    return this.#live;
  }

  /** Marks the process dead (for example after an unrecoverable error) or alive again. */
  setLive(live: boolean): void {
    this.#live = live;
  }

  /** Runs every check (in parallel, each bounded by `checkTimeout`) and reports readiness. */
  async readiness(): Promise<ReadinessReport> {
    const draining = [...this.#servers].some((server) => server.draining);
    const names = [...this.#checks.keys()];
    const results = await Promise.all([...this.#checks.values()].map((check) => this.#run(check)));
    const checks: Record<string, boolean> = {};
    names.forEach((name, i) => (checks[name] = results[i]!));
    return { ready: !draining && results.every(Boolean), draining, checks };
  }

  async #run(check: ReadinessCheck): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#timeout);
    });
    try {
      return await Promise.race([Promise.resolve().then(check).then((ok) => ok === true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
