/**
 * Limits that bound every buffer a peer can make us allocate. Each check happens before the
 * allocation it guards.
 */
export interface Limits {
  /**
   * Largest frame payload accepted, in bytes. Larger frames fail with 1009 as soon as the header
   * is read, before any payload is buffered.
   */
  maxFrameSize: number;
  /**
   * Largest message accepted, in bytes (after decompression, when an extension inflates).
   * Fails with 1009.
   */
  maxMessageSize: number;
  /** Most frames one fragmented message may have. Fails with 1009. */
  maxFragments: number;
  /** Largest HTTP request or response head (request line and headers) in bytes. Answered 431. */
  maxHandshakeHeadSize: number;
}

/**
 * The default limits, with the reason for each value.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS, resolveLimits } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const limits = resolveLimits({ maxMessageSize: 1024 });
 * assert.equal(limits.maxMessageSize, 1024);
 * assert.equal(limits.maxFrameSize, DEFAULT_LIMITS.maxFrameSize);
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  // 64 MiB: comfortably above the 16 MiB messages browsers and conformance suites exchange, low
  // enough that a handful of hostile peers cannot take gigabytes. `ws` uses 100 MiB.
  maxFrameSize: 64 * 1024 * 1024,
  // Same bound for whole messages: a message is never smaller than its largest frame.
  maxMessageSize: 64 * 1024 * 1024,
  // Each stored fragment costs bookkeeping beyond its payload. 262,144 leaves 4x headroom over
  // the 65,536 fragments of a 4 MiB message cut into 64-byte frames (a common conformance case).
  maxFragments: 262_144,
  // 16 KiB: browsers send well under 4 KiB of headers; long cookies and tokens fit with margin.
  // Matches the default of common HTTP servers, so a proxy in front behaves the same.
  maxHandshakeHeadSize: 16 * 1024,
});

const _LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as readonly (keyof Limits)[];

/**
 * Fills in missing limits from {@linkcode DEFAULT_LIMITS} and validates every value.
 *
 * @throws {RangeError} when a limit is not a positive safe integer.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => resolveLimits({ maxFrameSize: -1 }), RangeError);
 * ```
 */
export function resolveLimits(limits: Partial<Limits> = {}): Limits {
  const resolved: Limits = { ...DEFAULT_LIMITS };
  for (const key of _LIMIT_NAMES) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`Cannot use limit ${key}: ${value} is not a positive integer`);
    }
    resolved[key] = value;
  }
  return resolved;
}
