import assert from "node:assert/strict";
import { _HandshakeDeadlines } from "../../src/server/_handshake_deadlines.ts";

// A connection that records when it was closed, on the test's clock.
class Conn {
  closedAt: number | null = null;
  constructor(readonly name: string, private clock: { now: number }) {}
  close(): void {
    if (this.closedAt !== null) throw new Error("closed twice");
    this.closedAt = this.clock.now;
  }
}

// Advances the test clock by `ms` and waits for the real timers that are due by then: the
// deadlines' timer is real, only the clock it reads is the test's.
async function pass(clock: { now: number }, ms: number): Promise<void> {
  clock.now += ms;
  await new Promise((resolve) => setTimeout(resolve, ms + 25));
}

Deno.test("handshake deadlines close exactly the connections that ran out of time, in order", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(50, () => clock.now);
  try {
    const a = new Conn("a", clock);
    const b = new Conn("b", clock);
    const c = new Conn("c", clock);
    const da = deadlines.add(a);
    await pass(clock, 20);
    const db = deadlines.add(b);
    await pass(clock, 10);
    deadlines.add(c);
    deadlines.done(da); // a finished in time
    assert.equal(deadlines.waiting, 2);
    await pass(clock, 35); // t = 65: b (due at 70) and c (due at 80) still have time
    assert.deepEqual([a.closedAt, b.closedAt, c.closedAt], [null, null, null]);
    await pass(clock, 10); // t = 75: b is due
    assert.equal(b.closedAt, 75);
    assert.equal(c.closedAt, null);
    await pass(clock, 10); // t = 85: c is due
    assert.equal(c.closedAt, 85);
    assert.equal(a.closedAt, null);
    assert.equal(deadlines.waiting, 0);
    deadlines.done(db); // after expiry: harmless
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines keep no finished connection queued", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, () => clock.now);
  try {
    // Many handshakes finishing in order, then out of order: the queue empties each time.
    const pending = [];
    for (let i = 0; i < 5_000; i++) {
      clock.now += 0.1;
      pending.push(deadlines.add(new Conn(String(i), clock)));
      if (i % 3 === 2) deadlines.done(pending.shift()!);
    }
    assert.equal(deadlines.waiting, pending.length);
    for (const deadline of pending.reverse()) deadlines.done(deadline);
    assert.equal(deadlines.waiting, 0);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines close nothing after stop", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(20, () => clock.now);
  const a = new Conn("a", clock);
  deadlines.add(a);
  deadlines.stop();
  await pass(clock, 30);
  assert.equal(a.closedAt, null);
  // No timer is left behind (the test's sanitizer would report one).
});

Deno.test("handshake deadlines expire the right connections after the queue is compacted", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(30, () => clock.now);
  try {
    // 3,000 handshakes; every one but each 100th finishes in time, the first 2,000 of them in a
    // burst that moves the queue's head far enough to compact it.
    const conns: Conn[] = [];
    const entries = [];
    for (let i = 0; i < 3_000; i++) {
      const conn = new Conn(String(i), clock);
      conns.push(conn);
      entries.push(deadlines.add(conn));
      clock.now += 0.005;
    }
    for (let i = 0; i < 3_000; i++) if (i % 100 !== 0) deadlines.done(entries[i]!);
    assert.equal(deadlines.waiting, 30);
    await pass(clock, 40);
    const closed = conns.filter((c) => c.closedAt !== null).map((c) => Number(c.name));
    assert.deepEqual(closed, Array.from({ length: 30 }, (_, k) => k * 100));
    assert.equal(deadlines.waiting, 0);
  } finally {
    deadlines.stop();
  }
});
