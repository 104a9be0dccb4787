import assert from "node:assert/strict";
import {
  AeroClient,
  backoffDelay,
  createManualClock,
  type StateChange,
} from "../../src/sdk/mod.ts";
import { scriptedDialer } from "./_helpers.ts";

Deno.test("backoffDelay draws from [0, min(max, base × factor^attempt)) with full jitter", () => {
  const options = { base: 100, max: 5_000, factor: 2 };
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(5_000, 100 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, options, () => 0), 0);
    assert.equal(backoffDelay(attempt, options, () => 0.999999), Math.floor(0.999999 * ceiling));
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(attempt, options);
      assert.ok(delay >= 0 && delay < ceiling, `${delay} within [0, ${ceiling})`);
    }
  }
  // A random source returning 1 (out of contract) still stays below the ceiling.
  assert.ok(backoffDelay(0, options, () => 1) < 100);
});

Deno.test("backoffDelay refuses invalid attempts and options", () => {
  assert.throws(() => backoffDelay(-1), RangeError);
  assert.throws(() => backoffDelay(1.5), RangeError);
  assert.throws(() => backoffDelay(0, { base: -1 }), RangeError);
  assert.throws(() => backoffDelay(0, { factor: 0 }), RangeError);
  assert.equal(backoffDelay(1_000, { base: 1, max: 10 }, () => 0.5), 5);
});

Deno.test("AeroClient waits the backoff delays between failed attempts, measured on an injected clock", async () => {
  const clock = createManualClock();
  const dial = scriptedDialer(); // every attempt is refused
  const attempts: number[] = [];
  const changes: StateChange[] = [];
  const client = new AeroClient("ws://test/", {
    clock,
    random: () => 0.5,
    keepalive: false,
    onlineEvents: null,
    reconnect: { base: 100, max: 1_000, factor: 2, maxAttempts: 7 },
    breaker: { threshold: Infinity },
    dial: (url, options) => {
      attempts.push(clock.now());
      return dial(url, options);
    },
  });
  client.on("state", (change) => changes.push(change));
  while (await clock.next()) { /* fire every timer */ }
  await client.closed;
  // Delays: 0.5 × min(1000, 100 × 2^n) = 50, 100, 200, 400, 500, 500.
  const gaps = attempts.slice(1).map((time, i) => time - attempts[i]!);
  assert.deepEqual(gaps, [50, 100, 200, 400, 500, 500]);
  assert.deepEqual(
    changes.filter((change) => change.state === "reconnecting").map((change) => change.delay),
    [50, 100, 200, 400, 500, 500],
  );
  const last = changes.at(-1)!;
  assert.equal(last.state, "closed");
  assert.equal(last.reason, "retry_limit");
  assert.equal(last.attempt, 7);
  assert.equal(client.state, "closed");
});

Deno.test("AeroClient spreads reconnection of a lost connection with the first backoff step", async () => {
  const clock = createManualClock();
  const dial = scriptedDialer(
    async (peer) => {
      await peer.welcome();
      peer.conn.close(1011, "restart");
    },
    (peer) => peer.welcome().then(() => {}),
  );
  const client = new AeroClient("ws://test/", {
    clock,
    random: () => 0.25,
    keepalive: false,
    onlineEvents: null,
    reconnect: { base: 400 },
    dial,
  });
  const changes: StateChange[] = [];
  client.on("state", (change) => changes.push(change));
  await clock.advance(0);
  await clock.advance(0);
  const lost = changes.find((change) => change.state === "reconnecting");
  assert.deepEqual(
    { reason: lost?.reason, code: lost?.code, delay: lost?.delay },
    { reason: "connection_lost", code: 1011, delay: 100 },
  );
  assert.equal(dial.peers.length, 1);
  await clock.advance(99);
  assert.equal(dial.peers.length, 1);
  await clock.advance(1);
  assert.equal(dial.peers.length, 2);
  await clock.advance(0);
  assert.equal(client.state, "open");
  await client.close();
});
