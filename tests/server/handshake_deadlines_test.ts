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
  const deadlines = new _HandshakeDeadlines(50, { now: () => clock.now });
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
  const deadlines = new _HandshakeDeadlines(10_000, { now: () => clock.now });
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
  const deadlines = new _HandshakeDeadlines(20, { now: () => clock.now });
  const a = new Conn("a", clock);
  deadlines.add(a);
  deadlines.stop();
  await pass(clock, 30);
  assert.equal(a.closedAt, null);
  // No timer is left behind (the test's sanitizer would report one).
});

Deno.test("handshake deadlines expire the right connections after the queue is compacted", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(30, { now: () => clock.now });
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

// The names of `conns` that are closed, in the order given.
function closedNames(conns: readonly Conn[]): string[] {
  return conns.filter((c) => c.closedAt !== null).map((c) => c.name);
}

Deno.test("handshake deadlines beyond max close the oldest connection still waiting", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { max: 3, now: () => clock.now });
  try {
    const conns = ["a", "b", "c", "d", "e"].map((name) => new Conn(name, clock));
    const [a, b, c, d, e] = conns as [Conn, Conn, Conn, Conn, Conn];
    const da = deadlines.add(a);
    deadlines.add(b);
    deadlines.add(c);
    deadlines.done(da); // a finished: b is now the oldest waiting
    clock.now = 5;
    deadlines.add(d); // three waiting (b, c, d), at max: nothing to close yet
    assert.deepEqual(closedNames(conns), []);
    assert.equal(deadlines.waiting, 3);
    clock.now = 7;
    deadlines.add(e); // one too many: b goes, at once, not a (done) nor a newer one
    assert.deepEqual(closedNames(conns), ["b"]);
    assert.equal(b.closedAt, 7);
    assert.equal(deadlines.waiting, 3);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines skip finished connections in the middle when evicting", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { max: 2, now: () => clock.now });
  try {
    const conns = ["a", "b", "c", "d", "e"].map((name) => new Conn(name, clock));
    const [a, b, c, d, e] = conns as [Conn, Conn, Conn, Conn, Conn];
    deadlines.add(a);
    const db = deadlines.add(b);
    deadlines.done(db); // b finished behind a, which is still waiting
    deadlines.add(c); // a, c waiting
    deadlines.add(d); // evicts a; b is done, so c is next in line
    assert.deepEqual(closedNames(conns), ["a"]);
    deadlines.add(e); // evicts c, never b
    assert.deepEqual(closedNames(conns), ["a", "c"]);
    assert.equal(deadlines.waiting, 2);
    deadlines.done(db); // again: harmless, and no room is made twice
    assert.equal(deadlines.waiting, 2);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines free a slot for each connection that finishes", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { max: 4, now: () => clock.now });
  try {
    // Ten rounds of four handshakes that all finish: nothing is ever evicted.
    const conns: Conn[] = [];
    for (let round = 0; round < 10; round++) {
      const entries = [];
      for (let i = 0; i < 4; i++) {
        const conn = new Conn(`${round}.${i}`, clock);
        conns.push(conn);
        entries.push(deadlines.add(conn));
      }
      assert.equal(deadlines.waiting, 4);
      // Finished out of order, the newest first.
      for (const entry of entries.reverse()) deadlines.done(entry);
      assert.equal(deadlines.waiting, 0);
    }
    assert.deepEqual(closedNames(conns), []);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines evict and expire without closing a connection twice", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(50, { max: 2, now: () => clock.now });
  try {
    const conns = ["a", "b", "c", "d"].map((name) => new Conn(name, clock));
    const [a, b, c, d] = conns as [Conn, Conn, Conn, Conn];
    deadlines.add(a); // due at 50
    await pass(clock, 10);
    deadlines.add(b); // due at 60
    await pass(clock, 10);
    deadlines.add(c); // t = 20: evicts a (due at 70)
    assert.equal(a.closedAt, 20);
    await pass(clock, 45); // t = 65: b has expired; a's old deadline closed nothing again
    assert.equal(b.closedAt, 65);
    assert.equal(deadlines.waiting, 1);
    deadlines.add(d); // t = 65: room for it, c stays
    assert.equal(c.closedAt, null);
    assert.equal(deadlines.waiting, 2);
    await pass(clock, 10); // t = 75: c expires
    assert.equal(c.closedAt, 75);
    await pass(clock, 45); // t = 120: d expires
    assert.equal(d.closedAt, 120);
    assert.equal(deadlines.waiting, 0);
    // `Conn.close` throws when called twice, which would have failed the timer's pass.
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines without a max never evict", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { now: () => clock.now });
  const infinite = new _HandshakeDeadlines(10_000, { max: Infinity, now: () => clock.now });
  try {
    const conns: Conn[] = [];
    for (let i = 0; i < 20_000; i++) {
      const conn = new Conn(String(i), clock);
      conns.push(conn);
      deadlines.add(conn);
      infinite.add(conn);
    }
    assert.equal(deadlines.waiting, 20_000);
    assert.equal(infinite.waiting, 20_000);
    assert.deepEqual(closedNames(conns), []);
  } finally {
    deadlines.stop();
    infinite.stop();
  }
});

Deno.test("handshake deadlines keep the count and the eviction order across queue compaction", () => {
  const clock = { now: 0 };
  const max = 100;
  const deadlines = new _HandshakeDeadlines(60_000, { max, now: () => clock.now });
  try {
    // 5,000 handshakes; two in three finish soon after they start, every third stays silent.
    // The head moves past well over 1,024 finished ones, so the queue is compacted several times;
    // after each add, the waiting ones must be exactly the newest `max` silent ones (plus the
    // finishing ones not yet done), and the evicted ones exactly the older silent ones.
    const conns: Conn[] = [];
    const entries = [];
    const open = new Set<Conn>();
    for (let i = 0; i < 5_000; i++) {
      clock.now += 1;
      const conn = new Conn(String(i), clock);
      conns.push(conn);
      entries.push(deadlines.add(conn));
      open.add(conn);
      // The one added two steps ago finishes now, unless it is a silent one.
      const j = i - 2;
      if (j >= 0 && j % 3 !== 0) {
        deadlines.done(entries[j]!);
        open.delete(conns[j]!);
      }
      for (const c of open) if (c.closedAt !== null) open.delete(c);
      assert.equal(deadlines.waiting, open.size, `after add ${i}`);
      assert.ok(deadlines.waiting <= max);
    }
    // Every closed connection is a silent one, closed oldest first, and they are all older than
    // every silent one still open.
    const closed = conns.filter((c) => c.closedAt !== null);
    assert.ok(closed.every((c) => Number(c.name) % 3 === 0));
    const closedAt = closed.map((c) => c.closedAt!);
    assert.deepEqual(closedAt, [...closedAt].sort((x, y) => x - y));
    const newestClosed = Number(closed.at(-1)!.name);
    const silentOpen = [...open].filter((c) => Number(c.name) % 3 === 0);
    assert.ok(silentOpen.every((c) => Number(c.name) > newestClosed));
    assert.ok(closed.length > 1_000, `${closed.length} evicted`);
    // Finishing the rest empties it.
    for (let i = 0; i < entries.length; i++) deadlines.done(entries[i]!);
    assert.equal(deadlines.waiting, 0);
  } finally {
    deadlines.stop();
  }
});
