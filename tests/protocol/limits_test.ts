import assert from "node:assert/strict";
import { DEFAULT_LIMITS, resolveLimits } from "../../src/protocol/mod.ts";

Deno.test("DEFAULT_LIMITS is frozen and holds positive integers", () => {
  assert.ok(Object.isFrozen(DEFAULT_LIMITS));
  assert.throws(() => {
    (DEFAULT_LIMITS as { maxFrameSize: number }).maxFrameSize = 1;
  }, TypeError);
  assert.deepEqual(Object.keys(DEFAULT_LIMITS).sort(), [
    "maxFragments",
    "maxFrameSize",
    "maxHandshakeHeadSize",
    "maxMessageSize",
  ]);
  for (const value of Object.values(DEFAULT_LIMITS)) {
    assert.ok(Number.isSafeInteger(value) && value > 0);
  }
  assert.ok(DEFAULT_LIMITS.maxMessageSize >= DEFAULT_LIMITS.maxFrameSize);
});

Deno.test("resolveLimits fills in defaults and returns a fresh object", () => {
  const limits = resolveLimits();
  assert.deepEqual(limits, { ...DEFAULT_LIMITS });
  assert.notEqual(limits, DEFAULT_LIMITS);
  limits.maxFrameSize = 1;
  assert.notEqual(DEFAULT_LIMITS.maxFrameSize, 1);
  const custom = resolveLimits({ maxMessageSize: 1024, maxFragments: 1 });
  assert.equal(custom.maxMessageSize, 1024);
  assert.equal(custom.maxFragments, 1);
  assert.equal(custom.maxFrameSize, DEFAULT_LIMITS.maxFrameSize);
});

Deno.test("resolveLimits rejects values that are not positive safe integers", () => {
  for (const key of Object.keys(DEFAULT_LIMITS)) {
    for (
      const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "10" as never]
    ) {
      assert.throws(() => resolveLimits({ [key]: value }), RangeError, `${key}: ${value}`);
    }
  }
});
