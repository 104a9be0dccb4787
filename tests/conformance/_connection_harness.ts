/**
 * Harnesses that run the conformance suite against {@linkcode Connection} directly, over
 * in-memory transports: the server-side connection runs the test's application code, the raw
 * peer holds the other end.
 *
 * @module
 */
import { Connection, type Transport } from "../../src/connection/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";
import { createBoundedTransportPair } from "./_bounded_pair.ts";
import type { App, Capabilities, ConnOptions, Harness, Session } from "./_harness.ts";
import { RawPeer } from "./_raw_peer.ts";
import { withTimeout } from "./_timing.ts";

/** Runs `app` on `conn`; the returned promise never rejects, it reports the error at dispose. */
export function runApp(app: App, conn: Parameters<App>[0]): {
  done: Promise<void>;
  error: () => unknown;
} {
  let failure: unknown;
  const done = (async () => {
    try {
      await app(conn);
    } catch (error) {
      failure = error;
    }
  })();
  return { done, error: () => failure };
}

/** Ends a session: closes the peer, then waits for the connection and the app to finish. */
export async function disposeSession(
  peer: RawPeer,
  conn: { closed: Promise<unknown> },
  app: { done: Promise<void>; error: () => unknown },
): Promise<void> {
  peer.close();
  await withTimeout(conn.closed, 6_000, "connection to close after the peer went away");
  await withTimeout(app.done, 6_000, "application to return");
  const error = app.error();
  if (error !== undefined) throw error;
}

function connectionHarness(
  name: string,
  pair: () => [Transport, Transport],
  capabilities: Capabilities,
): Harness {
  return {
    name,
    peerRole: "client",
    capabilities,
    open(app: App, options: ConnOptions = {}): Promise<Session> {
      const [serverSide, peerSide] = pair();
      const conn = new Connection(serverSide, { role: "server", ...options });
      const peer = new RawPeer(peerSide, "client");
      const running = runApp(app, conn);
      return Promise.resolve({
        peer,
        conn,
        appDone: running.done,
        dispose: () => disposeSession(peer, conn, running),
      });
    },
  };
}

const _BASE = {
  slowConsumer: true,
  readAhead: true,
  keepalive: true,
  limits: true,
  messageSizeLimit: true,
  protocolErrors: true,
  registeredCloseCodes: true,
  closeTimeout: true,
  shutdown: false,
};

/** `createTransportPair()`: unbounded buffers, 64 KiB reads. */
export const memoryHarness: Harness = connectionHarness(
  "Connection over createTransportPair",
  () => createTransportPair(),
  { ..._BASE, backpressure: false, transportBuffer: Infinity },
);

/** `createTransportPair({ chunkSize: 7 })`: every read splits frames at odd places. */
export const splitHarness: Harness = connectionHarness(
  "Connection over createTransportPair, 7-byte reads",
  () => createTransportPair({ chunkSize: 7 }),
  { ..._BASE, backpressure: false, transportBuffer: Infinity },
);

const _CAPACITY = 64 * 1024;

/** A bounded in-memory pair: shows backpressure in both directions. */
export const boundedHarness: Harness = connectionHarness(
  "Connection over a bounded in-memory pair",
  () => createBoundedTransportPair(_CAPACITY),
  { ..._BASE, backpressure: true, transportBuffer: _CAPACITY },
);
