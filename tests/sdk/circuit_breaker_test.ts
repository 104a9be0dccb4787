import assert from "node:assert/strict";
import {
  AeroClient,
  type BreakerState,
  CircuitBreaker,
  createManualClock,
  type StateChange,
} from "../../src/sdk/mod.ts";
import { scriptedDialer } from "./_helpers.ts";

Deno.test("CircuitBreaker opens after N consecutive failures, probes half-open, closes on success", async () => {
  const clock = createManualClock();
  const breaker = new CircuitBreaker({ threshold: 3, cooldown: 500, clock });
  const seen: BreakerState[] = [];
  breaker.onChange((state) => seen.push(state));
  breaker.recordFailure();
  breaker.recordFailure();
  breaker.recordSuccess(); // resets the count: failures must be consecutive
  breaker.recordFailure();
  breaker.recordFailure();
  assert.equal(breaker.state, "closed");
  breaker.recordFailure();
  assert.equal(breaker.state, "open");
  assert.equal(breaker.tryAcquire(), false);
  await clock.advance(499);
  assert.equal(breaker.retryIn(), 1);
  assert.equal(breaker.tryAcquire(), false);
  await clock.advance(1);
  assert.equal(breaker.tryAcquire(), true);
  assert.equal(breaker.state, "half-open");
  breaker.recordSuccess();
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.failures, 0);
  assert.deepEqual(seen, ["open", "half-open", "closed"]);
});

Deno.test("CircuitBreaker reopens for a full cooldown when the half-open probe fails", async () => {
  const clock = createManualClock();
  const breaker = new CircuitBreaker({ threshold: 1, cooldown: 100, clock });
  breaker.recordFailure();
  await clock.advance(100);
  assert.equal(breaker.tryAcquire(), true);
  breaker.recordFailure();
  assert.equal(breaker.state, "open");
  assert.equal(breaker.retryIn(), 100);
  breaker.probeNow();
  assert.equal(breaker.state, "half-open");
  assert.throws(() => new CircuitBreaker({ threshold: 0 }), RangeError);
});

Deno.test("AeroClient stops attempting while its breaker is open and probes after the cooldown", async () => {
  const clock = createManualClock();
  // Three refused attempts, then a server that answers.
  const refuse = (peer: { conn: { close(code: number): void } }) => peer.conn.close(1011);
  const dial = scriptedDialer(refuse, refuse, refuse, (peer) => peer.welcome().then(() => {}));
  const times: number[] = [];
  const client = new AeroClient("ws://test/", {
    clock,
    random: () => 0,
    keepalive: false,
    onlineEvents: null,
    breaker: { threshold: 3, cooldown: 10_000 },
    dial: (url, options) => {
      times.push(clock.now());
      return dial(url, options);
    },
  });
  const breaker: BreakerState[] = [];
  const changes: StateChange[] = [];
  client.on("breaker", (state) => breaker.push(state));
  client.on("state", (change) => changes.push(change));
  for (let i = 0; i < 6; i++) await clock.advance(0);
  assert.equal(client.breaker.state, "open");
  assert.equal(times.length, 3);
  const open = changes.find((change) => change.reason === "circuit_open");
  assert.equal(open?.delay, 10_000);
  await clock.advance(9_999);
  assert.equal(times.length, 3, "no attempt while open");
  await clock.advance(1);
  for (let i = 0; i < 3; i++) await clock.advance(0);
  assert.equal(times.length, 4);
  assert.equal(times[3], 10_000);
  assert.equal(client.state, "open");
  assert.deepEqual(breaker, ["open", "half-open", "closed"]);
  await client.close();
});

Deno.test("AeroClient lets an online event end the breaker's cooldown early", async () => {
  const clock = createManualClock();
  const refuse = (peer: { conn: { close(code: number): void } }) => peer.conn.close(1011);
  const dial = scriptedDialer(refuse, (peer) => peer.welcome().then(() => {}));
  const online = new EventTarget();
  const client = new AeroClient("ws://test/", {
    clock,
    keepalive: false,
    onlineEvents: online,
    breaker: { threshold: 1, cooldown: 60_000 },
    dial,
  });
  for (let i = 0; i < 3; i++) await clock.advance(0);
  assert.equal(client.breaker.state, "open");
  online.dispatchEvent(new Event("online"));
  for (let i = 0; i < 3; i++) await clock.advance(0);
  assert.equal(client.state, "open");
  assert.equal(client.breaker.state, "closed");
  assert.ok(clock.now() < 60_000);
  await client.close();
});
