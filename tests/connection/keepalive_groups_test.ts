// Keepalive checks share one interval timer per period; the timer goes with the last member.
import assert from "node:assert/strict";
import { _KeepaliveGroups } from "../../src/connection/_keepalive_groups.ts";

Deno.test("keepalive groups: one timer per period, checks every member, stops with the last", async () => {
  // Live interval timers, counted through the globals the groups use.
  const live = new Set<ReturnType<typeof setInterval>>();
  const { setInterval: realSet, clearInterval: realClear } = globalThis;
  globalThis.setInterval = ((fn: () => void, ms: number) => {
    const id = realSet(fn, ms);
    live.add(id);
    return id;
  }) as typeof setInterval;
  globalThis.clearInterval = ((id: ReturnType<typeof setInterval>) => {
    live.delete(id);
    realClear(id);
  }) as typeof clearInterval;
  try {
    await checkGroups(live);
  } finally {
    globalThis.setInterval = realSet;
    globalThis.clearInterval = realClear;
    for (const id of live) realClear(id);
  }
});

async function checkGroups(live: Set<ReturnType<typeof setInterval>>): Promise<void> {
  const checked: string[] = [];
  const groups = new _KeepaliveGroups<string>((member, now) => {
    assert.equal(typeof now, "number");
    checked.push(member);
  });
  const a = groups.join(20, "a");
  const b = groups.join(20, "b");
  const c = groups.join(35, "c");
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.equal(groups.timers, 2);
  assert.equal(live.size, 2);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.ok(checked.includes("a") && checked.includes("b") && checked.includes("c"), `${checked}`);

  groups.leave(a, "a");
  assert.equal(groups.timers, 2, "b still uses the 20 ms timer");
  groups.leave(c, "c");
  assert.equal(groups.timers, 1);
  checked.length = 0;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(checked.length > 0 && checked.every((member) => member === "b"), `${checked}`);

  groups.leave(b, "b");
  assert.equal(groups.timers, 0);
  assert.equal(live.size, 0, "every timer cleared");
  checked.length = 0;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(checked, [], "no timer left to run");

  // A period that emptied gets a new timer when joined again.
  const again = groups.join(20, "d");
  assert.notEqual(again, a);
  assert.equal(groups.timers, 1);
  groups.leave(again, "d");
  assert.equal(groups.timers, 0);
}
