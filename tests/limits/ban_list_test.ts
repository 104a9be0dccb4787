import assert from "node:assert/strict";
import { BanList, ManualClock } from "../../src/security/mod.ts";

Deno.test("BanList bans after threshold violations within the window", () => {
  const clock = new ManualClock();
  const bans = new BanList({ threshold: 3, window: 1_000, duration: 10_000, clock });
  bans.recordViolation("a", "x");
  bans.recordViolation("a", "x");
  clock.advance(1_000); // the window passes: counting starts over
  bans.recordViolation("a", "x");
  bans.recordViolation("a", "x");
  assert.equal(bans.get("a"), undefined);
  const ban = bans.recordViolation("a", "auth failure");
  assert.deepEqual(ban, {
    ip: "a",
    reason: "auth failure",
    since: 1_000,
    until: 11_000,
    offenses: 1,
  });
  assert.equal(bans.get("b"), undefined);
});

Deno.test("BanList bans grow with each offense up to the maximum, and can be lifted", () => {
  const clock = new ManualClock();
  const bans = new BanList({ threshold: 1, duration: 1_000, factor: 3, maxDuration: 5_000, clock });
  const lengths: number[] = [];
  for (let i = 0; i < 4; i++) {
    const ban = bans.recordViolation("a", "x")!;
    lengths.push(ban.until - ban.since);
    // While banned, further violations do not extend the ban.
    assert.equal(bans.recordViolation("a", "x"), undefined);
    clock.advance(ban.until - clock.now());
  }
  assert.deepEqual(lengths, [1_000, 3_000, 5_000, 5_000]);
  bans.ban("b", "manual", 60_000);
  assert.deepEqual(bans.list().map((ban) => ban.ip), ["b"]);
  assert.equal(bans.lift("b"), true);
  assert.equal(bans.lift("b"), false);
  assert.deepEqual(bans.list(), []);
});

Deno.test("BanList forgets offenses after a quiet period", () => {
  const clock = new ManualClock();
  const bans = new BanList({ threshold: 1, duration: 1_000, forgetAfter: 10_000, clock });
  bans.recordViolation("a", "x");
  clock.advance(20_000);
  const ban = bans.recordViolation("a", "x")!;
  assert.equal(ban.offenses, 1);
});

Deno.test("BanList stays bounded", () => {
  const bans = new BanList({ threshold: 1, maxEntries: 50, clock: new ManualClock() });
  for (let i = 0; i < 1_000; i++) bans.recordViolation(`10.0.${i >> 8}.${i & 255}`, "x");
  assert.ok(bans.list().length <= 50);
});
