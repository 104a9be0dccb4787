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

// Whether `promise` has settled by the next macrotask.
function settled(promise: Promise<unknown>): Promise<boolean> {
  const later = new Promise<false>((resolve) => setTimeout(() => resolve(false), 0));
  return Promise.race([promise.then(() => true), later]);
}

// Asks for room and, when there is some, adds `conn` (as the accept loop does); fails otherwise.
function admit(deadlines: _HandshakeDeadlines, conn: Conn) {
  assert.equal(deadlines.room(), undefined, `no room for ${conn.name}`);
  return deadlines.add(conn);
}

Deno.test("handshake deadlines have room below max without making a promise", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { max: 3, now: () => clock.now });
  try {
    const conns = ["a", "b", "c"].map((name) => new Conn(name, clock));
    for (const conn of conns) admit(deadlines, conn);
    assert.equal(deadlines.waiting, 3);
    assert.deepEqual(closedNames(conns), []);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines at max with a young oldest give no room and close nothing", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, {
    max: 3,
    evictAfter: 1_000,
    now: () => clock.now,
  });
  try {
    const conns = ["a", "b", "c"].map((name) => new Conn(name, clock));
    for (const conn of conns) admit(deadlines, conn);
    clock.now = 500; // a has waited half of evictAfter
    const wait = deadlines.room();
    assert.ok(wait instanceof Promise);
    assert.equal(deadlines.room(), wait, "one wait for every caller");
    assert.equal(await settled(wait), false);
    assert.deepEqual(closedNames(conns), []);
    assert.equal(deadlines.waiting, 3);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines end a wait for room when a waiting connection finishes", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { max: 2, now: () => clock.now });
  try {
    const conns = ["a", "b", "c"].map((name) => new Conn(name, clock));
    const [a, b, c] = conns as [Conn, Conn, Conn];
    admit(deadlines, a);
    const db = admit(deadlines, b);
    const wait = deadlines.room()!;
    assert.equal(await settled(wait), false);
    deadlines.done(db); // the newer one finishes: room, and a (older) stays
    assert.equal(await settled(wait), true);
    admit(deadlines, c);
    assert.deepEqual(closedNames(conns), []);
    assert.equal(deadlines.waiting, 2);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines end a wait for room when the oldest reaches evictAfter, then close exactly it", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, {
    max: 3,
    evictAfter: 100,
    now: () => clock.now,
  });
  try {
    const conns = ["a", "b", "c", "d", "e"].map((name) => new Conn(name, clock));
    const [a, b, c, d, e] = conns as [Conn, Conn, Conn, Conn, Conn];
    const da = admit(deadlines, a); // t = 0
    clock.now = 10;
    admit(deadlines, b);
    clock.now = 20;
    admit(deadlines, c);
    deadlines.done(da); // a finished: b (added at 10) is the oldest still waiting
    clock.now = 25;
    admit(deadlines, d);
    const wait = deadlines.room()!; // b may be closed from t = 110
    await pass(clock, 40); // t = 65
    assert.equal(await settled(wait), false);
    await pass(clock, 50); // t = 115
    assert.equal(await settled(wait), true);
    assert.deepEqual(closedNames(conns), [], "closed before anyone asked");
    assert.equal(deadlines.room(), undefined); // this ask closes b, not a (done) nor c
    assert.deepEqual(closedNames(conns), ["b"]);
    assert.equal(b.closedAt, 115);
    assert.equal(deadlines.waiting, 2);
    admit(deadlines, e);
    // c (added at 20) is next, from t = 120: not yet.
    const next = deadlines.room()!;
    assert.ok(next instanceof Promise);
    assert.notEqual(next, wait);
    assert.deepEqual(closedNames(conns), ["b"]);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines with a timeout shorter than evictAfter make room at the timeout", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(30, {
    max: 2,
    evictAfter: 1_000,
    now: () => clock.now,
  });
  try {
    const conns = ["a", "b", "c"].map((name) => new Conn(name, clock));
    const [a, b, c] = conns as [Conn, Conn, Conn];
    admit(deadlines, a);
    clock.now = 10;
    admit(deadlines, b);
    const wait = deadlines.room()!;
    await pass(clock, 25); // t = 35: a ran out of time
    assert.equal(await settled(wait), true);
    assert.equal(a.closedAt, 35);
    admit(deadlines, c);
    assert.deepEqual(closedNames(conns), ["a"]);
    assert.equal(b.closedAt, null);
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines end a wait for room on stop", async () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { max: 1, now: () => clock.now });
  const a = new Conn("a", clock);
  admit(deadlines, a);
  const wait = deadlines.room()!;
  assert.equal(await settled(wait), false);
  deadlines.stop();
  assert.equal(await settled(wait), true);
  assert.equal(a.closedAt, null);
  // After stop, the accept loop is not held back (it is stopping too), and no timer is left
  // behind (the test's sanitizer would report one).
  assert.equal(deadlines.room(), undefined);
});

Deno.test("handshake deadlines close the oldest for room, skipping finished ones in the middle", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, {
    max: 2,
    evictAfter: 0,
    now: () => clock.now,
  });
  try {
    const conns = ["a", "b", "c", "d", "e"].map((name) => new Conn(name, clock));
    const [a, b, c, d, e] = conns as [Conn, Conn, Conn, Conn, Conn];
    admit(deadlines, a);
    const db = admit(deadlines, b);
    deadlines.done(db); // b finished behind a, which is still waiting
    admit(deadlines, c); // a, c waiting
    admit(deadlines, d); // the ask closes a; b is done, so c is next in line
    assert.deepEqual(closedNames(conns), ["a"]);
    admit(deadlines, e); // closes c, never b
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
    // Ten rounds of four handshakes that all finish: nothing is ever closed.
    const conns: Conn[] = [];
    for (let round = 0; round < 10; round++) {
      const entries = [];
      for (let i = 0; i < 4; i++) {
        const conn = new Conn(`${round}.${i}`, clock);
        conns.push(conn);
        entries.push(admit(deadlines, conn));
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

Deno.test("handshake deadlines evict and expire without closing a connection twice, and report why", async () => {
  const clock = { now: 0 };
  const drops: string[] = [];
  const deadlines = new _HandshakeDeadlines(50, {
    max: 2,
    evictAfter: 15,
    now: () => clock.now,
    onDrop: (reason) => drops.push(reason),
  });
  try {
    const conns = ["a", "b", "c", "d"].map((name) => new Conn(name, clock));
    const [a, b, c, d] = conns as [Conn, Conn, Conn, Conn];
    admit(deadlines, a); // due at 50
    await pass(clock, 10);
    admit(deadlines, b); // due at 60
    await pass(clock, 10);
    admit(deadlines, c); // t = 20: the ask closes a (waited 20 ms), c is due at 70
    assert.equal(a.closedAt, 20);
    await pass(clock, 45); // t = 65: b has expired; a's old deadline closed nothing again
    assert.equal(b.closedAt, 65);
    assert.equal(deadlines.waiting, 1);
    admit(deadlines, d); // t = 65: room for it, c stays
    assert.equal(c.closedAt, null);
    assert.equal(deadlines.waiting, 2);
    await pass(clock, 10); // t = 75: c expires
    assert.equal(c.closedAt, 75);
    await pass(clock, 45); // t = 120: d expires
    assert.equal(d.closedAt, 120);
    assert.equal(deadlines.waiting, 0);
    // One report per connection closed here, and none for one finished or closed already.
    assert.deepEqual(drops, ["evicted", "timeout", "timeout", "timeout"]);
    // `Conn.close` throws when called twice, which would have failed the timer's pass.
  } finally {
    deadlines.stop();
  }
});

Deno.test("handshake deadlines without a max always have room", () => {
  const clock = { now: 0 };
  const deadlines = new _HandshakeDeadlines(10_000, { now: () => clock.now });
  const infinite = new _HandshakeDeadlines(10_000, { max: Infinity, now: () => clock.now });
  try {
    const conns: Conn[] = [];
    for (let i = 0; i < 20_000; i++) {
      const conn = new Conn(String(i), clock);
      conns.push(conn);
      admit(deadlines, conn);
      admit(infinite, conn);
      clock.now += 1; // the oldest ages far past evictAfter
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
  const evictAfter = 400;
  const deadlines = new _HandshakeDeadlines(60_000, { max, evictAfter, now: () => clock.now });
  try {
    // 5,000 handshakes, one a ms; two in three finish soon after they start, every third stays
    // silent. The head moves past well over 1,024 finished ones, so the queue is compacted several
    // times; after each add, the waiting ones must be exactly the newest silent ones (plus the
    // finishing ones not yet done), and the evicted ones exactly the older silent ones, each
    // after waiting at least evictAfter.
    const conns: Conn[] = [];
    const entries = [];
    const addedAt = new Map<Conn, number>();
    const open = new Set<Conn>();
    let waits = 0;
    for (let i = 0; i < 5_000; i++) {
      clock.now += 1;
      // As the accept loop does: while there is no room, wait (here: the clock moves on).
      while (deadlines.room() !== undefined) {
        waits++;
        clock.now += 10;
      }
      const conn = new Conn(String(i), clock);
      conns.push(conn);
      addedAt.set(conn, clock.now);
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
    assert.ok(waits > 0, "never waited for room");
    // Every closed connection is a silent one, closed oldest first, once it had waited
    // evictAfter, and they are all older than every silent one still open.
    const closed = conns.filter((c) => c.closedAt !== null);
    assert.ok(closed.every((c) => Number(c.name) % 3 === 0));
    assert.ok(closed.every((c) => c.closedAt! - addedAt.get(c)! >= evictAfter));
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
