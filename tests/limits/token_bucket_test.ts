import assert from "node:assert/strict";
import { KeyedBuckets, ManualClock, TokenBucket } from "../../src/security/mod.ts";

Deno.test("TokenBucket allows a burst, then refills at its rate", () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({ capacity: 10, interval: 1_000 }, clock);
  for (let i = 0; i < 10; i++) assert.equal(bucket.take().ok, true);
  assert.deepEqual(bucket.take(), { ok: false, retryAfter: 100 });
  clock.advance(250);
  assert.equal(bucket.take(2).ok, true);
  assert.equal(bucket.take(1).ok, false);
  assert.deepEqual(bucket.take(11), { ok: false, retryAfter: Infinity });
  clock.advance(10_000);
  assert.equal(bucket.tokens, 10);
});

Deno.test("TokenBucket rejects invalid limits", () => {
  assert.throws(() => new TokenBucket({ capacity: 0 }), RangeError);
  assert.throws(() => new TokenBucket({ capacity: 1, interval: -1 }), RangeError);
  assert.throws(() => new TokenBucket({ capacity: Infinity }), RangeError);
});

Deno.test("KeyedBuckets stays bounded when keys keep changing", () => {
  const clock = new ManualClock();
  const buckets = new KeyedBuckets({ capacity: 1 }, { clock, maxKeys: 100 });
  for (let i = 0; i < 10_000; i++) buckets.take(`203.0.113.${i}`);
  assert.ok(buckets.size <= 100);
});
