import assert from "node:assert/strict";
import { serve, type WebSocketConnection } from "../../mod.ts";
import { _HANDSHAKE_EVICT_AFTER_MS } from "../../src/server/_handshake_deadlines.ts";
import { ServerMetrics } from "../../src/observability/mod.ts";
import { sample } from "../observability/_scrape.ts";
import { until } from "../_until.ts";
import { closeQuietly, rawConnect, rawUpgrade } from "./_helpers.ts";

const local = { hostname: "127.0.0.1", port: 0 } as const;

async function echo(conn: WebSocketConnection): Promise<void> {
  for await (const message of conn) conn.send(message.data);
}

// A silent client connection, and whether the server has ended it (EOF or reset) yet.
interface Silent {
  conn: Deno.TcpConn;
  ended: boolean;
  // Settles once the server ends the connection, or the test closes it.
  read: Promise<void>;
}

async function silent(port: number): Promise<Silent> {
  const conn = await rawConnect(port);
  const entry: Silent = { conn, ended: false, read: Promise.resolve() };
  entry.read = conn.read(new Uint8Array(16)).then(
    (n) => void (entry.ended = n === null),
    () => void (entry.ended = true),
  );
  return entry;
}

// Indexes of the connections the server has ended.
function ended(entries: readonly Silent[]): number[] {
  return entries.flatMap((entry, i) => entry.ended ? [i] : []);
}

// How many connections wait in the kernel's accept queue of the listener on 127.0.0.1:`port`
// (the `rx_queue` of a listening socket in /proc/net/tcp), or `undefined` where that is not
// readable.
function acceptQueue(port: number): number | undefined {
  if (Deno.build.os !== "linux") return undefined;
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of Deno.readTextFileSync("/proc/net/tcp").split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[3] === "0A") return parseInt(fields[4]!.split(":")[1]!, 16);
  }
  return undefined;
}

function sleepUntil(started: number, ms: number): Promise<void> {
  const delay = Math.max(0, started + ms - performance.now());
  return new Promise((resolve) => setTimeout(resolve, delay));
}

Deno.test("streams engine keeps silent connections beyond maxPendingHandshakes in the backlog and closes the oldest once they have waited", async () => {
  // A timeout far longer than the test: only the bound can close anything.
  await using server = serve(
    { ...local, maxPendingHandshakes: 20, handshakeTimeout: 60_000 },
    echo,
  );
  const port = server.addr.port;
  const step = _HANDSHAKE_EVICT_AFTER_MS;
  const entries: Silent[] = [];
  try {
    const started = performance.now();
    for (let i = 0; i < 60; i++) entries.push(await silent(port));
    // A real client behind the 60 silent ones in the backlog.
    const upgrade = rawUpgrade(port, 4 * step + 500);
    const range = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => from + k);

    // Before any has waited `step`: the first 20 are accepted and kept, the other 40 and the
    // client wait in the kernel's accept queue, and nothing is closed.
    await sleepUntil(started, step / 2);
    assert.deepEqual(ended(entries), [], "a young connection was closed");
    const queued = acceptQueue(port);
    if (queued !== undefined) assert.equal(queued, 41, "not 20 silent connections accepted");
    // Once the first 20 have waited `step`, each is closed for one more from the backlog: never
    // more than 20 silent ones held.
    await sleepUntil(started, step * 1.5);
    assert.deepEqual(ended(entries), range(0, 20));
    if (queued !== undefined) assert.equal(acceptQueue(port), 21);
    await sleepUntil(started, step * 2.5);
    assert.deepEqual(ended(entries), range(0, 40));
    if (queued !== undefined) assert.equal(acceptQueue(port), 1);
    // The client's turn comes when the 41st has waited `step`: it gets its 101.
    closeQuietly(await upgrade);
    assert.ok(performance.now() - started < 4 * step, "the upgrade took too long");
    // The 41st was closed for it, and the 42nd, also old enough, may be for the accept that
    // now waits for the next client; the newer ones are kept.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = ended(entries);
    assert.ok(closed.length === 41 || closed.length === 42, `${closed.length} closed`);
    assert.deepEqual(closed, range(0, closed.length));
  } finally {
    for (const entry of entries) closeQuietly(entry.conn);
    await Promise.all(entries.map((entry) => entry.read));
  }
});

Deno.test("streams engine lets a burst of clients beyond maxPendingHandshakes all upgrade", async () => {
  await using server = serve({ ...local, maxPendingHandshakes: 20 }, echo);
  const port = server.addr.port;
  const results = await Promise.allSettled(
    Array.from({ length: 300 }, () => rawUpgrade(port, 5_000)),
  );
  const failed = results.filter((result) => result.status === "rejected");
  for (const result of results) if (result.status === "fulfilled") closeQuietly(result.value);
  assert.equal(
    failed.length,
    0,
    `${failed.length} of 300 clients failed: ${
      (failed[0] as PromiseRejectedResult | undefined)?.reason
    }`,
  );
});

Deno.test("streams engine counts connections dropped before their request head, by reason", async () => {
  const metrics = new ServerMetrics();
  const dropped = (reason: string) =>
    sample(metrics.render(), `aero_handshakes_dropped_total{engine="streams",reason="${reason}"}`);
  // Timeout: one silent connection outlives a 200 ms handshake timeout.
  const timing = serve({ ...local, metrics, handshakeTimeout: 200 }, echo);
  const late = await silent(timing.addr.port);
  await late.read;
  assert.equal(late.ended, true);
  await until(() => dropped("timeout") === 1, "one timeout counted");
  closeQuietly(late.conn);
  await timing.shutdown({ timeout: 500 });
  // Evicted: with room for one, a second silent connection is let in once the first has waited
  // evictAfter, by closing the first.
  const full = serve(
    { ...local, metrics, maxPendingHandshakes: 1, handshakeTimeout: 60_000 },
    echo,
  );
  const first = await silent(full.addr.port);
  const second = await silent(full.addr.port);
  await first.read;
  await until(() => dropped("evicted") === 1, "one eviction counted");
  assert.equal(dropped("timeout"), 1);
  // A connection its client closes, and a completed handshake, are counted as neither.
  closeQuietly(second.conn);
  await second.read;
  const upgrade = await rawUpgrade(full.addr.port, 3_000);
  closeQuietly(upgrade);
  closeQuietly(first.conn);
  await full.shutdown({ timeout: 500 });
  assert.equal(dropped("timeout"), 1);
  assert.equal(dropped("evicted"), 1);
});
