import { type Clock, SYSTEM_CLOCK } from "./clock.ts";

/** An active ban. */
export interface Ban {
  /** The banned address. */
  ip: string;
  /** Why: the last violation, or the reason given to {@linkcode BanList.ban}. */
  reason: string;
  /** When the ban was issued (ms since the epoch). */
  since: number;
  /** When the ban ends (ms since the epoch). */
  until: number;
  /** How many times this address has been banned (the first ban is 1). */
  offenses: number;
}

/** Auto-ban settings. */
export interface BanOptions {
  /** Violations within `window` that trigger a ban. @default {10} */
  threshold?: number;
  /** Milliseconds over which violations are counted. @default {60_000} */
  window?: number;
  /** Length of the first ban in milliseconds. @default {60_000} */
  duration?: number;
  /** Each further ban of the same address lasts `factor` times longer. @default {2} */
  factor?: number;
  /** Longest ban in milliseconds. @default {86_400_000} */
  maxDuration?: number;
  /** An address's offense count is forgotten after this many quiet milliseconds. @default {86_400_000} */
  forgetAfter?: number;
  /** Most addresses tracked; the oldest records are dropped beyond it. @default {100_000} */
  maxEntries?: number;
  /** The clock. @default {SYSTEM_CLOCK} */
  clock?: Clock;
}

interface _Record {
  windowStart: number;
  violations: number;
  offenses: number;
  lastSeen: number;
  ban: Ban | undefined;
}

/**
 * Tracks violations per IP address and bans an address that commits `threshold` of them within
 * `window`; each further ban lasts `factor` times longer, up to `maxDuration`. Bans can be
 * listed, issued and lifted by hand.
 *
 * @example A ban that grows
 * ```ts
 * import { BanList, ManualClock } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const clock = new ManualClock();
 * const bans = new BanList({ threshold: 2, duration: 1_000, clock });
 * assert.equal(bans.recordViolation("198.51.100.7", "auth failure"), undefined);
 * const first = bans.recordViolation("198.51.100.7", "auth failure");
 * assert.equal(first?.until, 1_000);
 * assert.ok(bans.get("198.51.100.7"));
 * clock.advance(1_000);
 * assert.equal(bans.get("198.51.100.7"), undefined);
 * bans.recordViolation("198.51.100.7", "auth failure");
 * const second = bans.recordViolation("198.51.100.7", "auth failure");
 * assert.equal(second!.until - second!.since, 2_000);
 * assert.equal(bans.lift("198.51.100.7"), true);
 * assert.deepEqual(bans.list(), []);
 * ```
 */
export class BanList {
  readonly #options: Required<Omit<BanOptions, "clock">>;
  readonly #clock: Clock;
  readonly #records = new Map<string, _Record>();

  /** A ban list with `options` (validated here). */
  constructor(options: BanOptions = {}) {
    this.#options = {
      threshold: options.threshold ?? 10,
      window: options.window ?? 60_000,
      duration: options.duration ?? 60_000,
      factor: options.factor ?? 2,
      maxDuration: options.maxDuration ?? 86_400_000,
      forgetAfter: options.forgetAfter ?? 86_400_000,
      maxEntries: options.maxEntries ?? 100_000,
    };
    for (const [name, value] of Object.entries(this.#options)) {
      if (!(value > 0) || !Number.isFinite(value)) {
        throw new RangeError(`Cannot create ban list: invalid ${name} ${value}`);
      }
    }
    if (this.#options.factor < 1) throw new RangeError("Cannot create ban list: factor below 1");
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Counts a violation by `ip`; returns the ban when this violation triggers one. */
  recordViolation(ip: string, reason: string): Ban | undefined {
    const now = this.#clock.now();
    const record = this.#record(ip, now);
    if (record.ban !== undefined && record.ban.until > now) return undefined;
    if (now - record.windowStart >= this.#options.window) {
      record.windowStart = now;
      record.violations = 0;
    }
    record.violations++;
    if (record.violations < this.#options.threshold) return undefined;
    const { duration, factor, maxDuration } = this.#options;
    return this.#issue(
      record,
      ip,
      reason,
      Math.min(maxDuration, duration * factor ** record.offenses),
    );
  }

  /** Bans `ip` for `duration` milliseconds (default: the next auto-ban length). */
  ban(ip: string, reason: string, duration?: number): Ban {
    const record = this.#record(ip, this.#clock.now());
    const { factor, maxDuration } = this.#options;
    const length = duration ??
      Math.min(maxDuration, this.#options.duration * factor ** record.offenses);
    return this.#issue(record, ip, reason, length);
  }

  /** The active ban of `ip`, if any. */
  get(ip: string): Ban | undefined {
    const ban = this.#records.get(ip)?.ban;
    return ban !== undefined && ban.until > this.#clock.now() ? ban : undefined;
  }

  /** Lifts the ban of `ip` (its offense count stays); `false` when it was not banned. */
  lift(ip: string): boolean {
    const record = this.#records.get(ip);
    const active = record?.ban !== undefined && record.ban.until > this.#clock.now();
    if (record !== undefined) {
      record.ban = undefined;
      record.violations = 0;
    }
    return active;
  }

  /** Every active ban. */
  list(): Ban[] {
    const now = this.#clock.now();
    const bans: Ban[] = [];
    for (const record of this.#records.values()) {
      if (record.ban !== undefined && record.ban.until > now) bans.push({ ...record.ban });
    }
    return bans;
  }

  #issue(record: _Record, ip: string, reason: string, length: number): Ban {
    const now = this.#clock.now();
    record.offenses++;
    record.violations = 0;
    record.ban = { ip, reason, since: now, until: now + length, offenses: record.offenses };
    return { ...record.ban };
  }

  #record(ip: string, now: number): _Record {
    let record = this.#records.get(ip);
    const banned = record?.ban !== undefined && record.ban.until > now;
    if (record !== undefined && !banned && now - record.lastSeen > this.#options.forgetAfter) {
      record = undefined;
    }
    if (record === undefined) {
      if (this.#records.size >= this.#options.maxEntries) this.#prune(now);
      record = { windowStart: now, violations: 0, offenses: 0, lastSeen: now, ban: undefined };
    } else {
      this.#records.delete(ip); // re-inserted below: the map stays ordered by last activity
    }
    record.lastSeen = now;
    this.#records.set(ip, record);
    return record;
  }

  #prune(now: number): void {
    for (const [ip, record] of this.#records) {
      if (this.#records.size < this.#options.maxEntries) return;
      if (record.ban === undefined || record.ban.until <= now) this.#records.delete(ip);
    }
    // Still full of active bans: drop the least recently active.
    const first = this.#records.keys().next();
    if (!first.done) this.#records.delete(first.value);
  }
}
