const _encoder = new TextEncoder();

/**
 * Compares two secrets in time that depends only on their lengths, never on where they first
 * differ, so that an attacker cannot guess a secret byte by byte from response times. Strings are
 * compared as UTF-8.
 *
 * @example
 * ```ts
 * import { constantTimeEqual } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * assert.equal(constantTimeEqual("s3cret-key", "s3cret-key"), true);
 * assert.equal(constantTimeEqual("s3cret-key", "s3cret-kex"), false);
 * assert.equal(constantTimeEqual("short", "longer secret"), false);
 * ```
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === "string" ? _encoder.encode(a) : a;
  const y = typeof b === "string" ? _encoder.encode(b) : b;
  const length = Math.max(x.length, y.length);
  let difference = x.length ^ y.length;
  for (let i = 0; i < length; i++) {
    // Out-of-range reads give `undefined`; `| 0` turns them into 0 without branching on data.
    difference |= (x[i]! | 0) ^ (y[i]! | 0);
  }
  return difference === 0;
}
