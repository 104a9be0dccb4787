/**
 * Registers conformance cases: one `Deno.test` per case, one step per implementation under
 * test. A case an implementation cannot run is registered as an ignored step whose name says
 * why. Every step is bounded in time and frees its session, even when it fails.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { WebSocketConnection } from "../../src/connection/mod.ts";
import { OPCODE } from "../../src/protocol/mod.ts";
import { clientHarness } from "./_client_harness.ts";
import { boundedHarness, memoryHarness, splitHarness } from "./_connection_harness.ts";
import type { App, Capability, ConnOptions, Harness, Session } from "./_harness.ts";
import { nativeHarness, streamsHarness } from "./_server_harness.ts";
import { withTimeout } from "./_timing.ts";

/** Every implementation under test. */
export const HARNESSES: readonly Harness[] = [
  memoryHarness,
  splitHarness,
  boundedHarness,
  streamsHarness,
  nativeHarness,
  clientHarness,
];

/**
 * `AERO_CONFORMANCE_ALL=1` runs the cases a harness declares it cannot pass, to re-check its
 * gaps (for example after a Deno upgrade).
 */
const _RUN_ALL = (() => {
  try {
    return Deno.env.get("AERO_CONFORMANCE_ALL") === "1";
  } catch {
    return false;
  }
})();

/** One conformance case. */
export interface Case {
  /** Autobahn-style section number and a sentence, e.g. `"5.1 fragmented text is joined"`. */
  name: string;
  /** Capabilities the case needs. */
  needs?: readonly Capability[];
  /** Run only where the raw peer plays this role. */
  peerRole?: "client" | "server";
  /** Connection settings. */
  options?: ConnOptions;
  /** Application code on the connection under test. @default {echo} */
  app?: App;
  /**
   * Run an application that records every message it receives (text as strings) instead of
   * `app`; `run` gets them as its third argument.
   */
  record?: boolean;
  /** Milliseconds the case may take, session setup and teardown included. @default {5_000} */
  timeout?: number;
  run(session: Session, harness: Harness, received: (string | Uint8Array)[]): Promise<void>;
}

/** An application that records the messages it receives (the text ones as strings). */
export function recorder(): { app: App; received: (string | Uint8Array)[] } {
  const received: (string | Uint8Array)[] = [];
  const app: App = async (conn) => {
    for await (const message of conn) received.push(message.data);
  };
  return { app, received };
}

/** Echoes every message unchanged until the connection closes. */
export async function echo(conn: WebSocketConnection): Promise<void> {
  for await (const message of conn) conn.send(message.data);
}

/** Registers `cases` under `group` for every harness in `harnesses`. */
export function defineCases(
  group: string,
  cases: readonly Case[],
  harnesses: readonly Harness[] = HARNESSES,
): void {
  // Cases a harness cannot run (a capability it lacks) are not registered for it; one line per
  // group says how many, and `AERO_CONFORMANCE_ALL=1` runs them anyway.
  const omitted = new Map<string, number>();
  for (const c of cases) {
    const runnable = harnesses.filter((h) => {
      if (c.peerRole !== undefined && h.peerRole !== c.peerRole) return false;
      const missing = (c.needs ?? []).find((need) => !h.capabilities[need]);
      if (missing === undefined || _RUN_ALL) return true;
      const why = h.gaps?.[missing] ?? `no ${missing} capability`;
      const key = `${h.name}: ${why}`;
      omitted.set(key, (omitted.get(key) ?? 0) + 1);
      return false;
    });
    if (runnable.length === 0) continue;
    Deno.test(`${group} ${c.name}`, async (t) => {
      for (const harness of runnable) await t.step(harness.name, () => runCase(c, harness));
    });
  }
  for (const [key, count] of omitted) {
    console.warn(`conformance ${group}: ${count} case(s) not run on ${key}`);
  }
}

/** Runs one case on one harness: open, run within the timeout, always dispose. */
export async function runCase(c: Case, harness: Harness): Promise<void> {
  const recording = recorder();
  const app = c.record ? recording.app : c.app ?? echo;
  const session = await harness.open(app, c.options);
  let failure: unknown;
  try {
    const run = c.run(session, harness, recording.received);
    await withTimeout(run, c.timeout ?? 5_000, `case ${c.name}`);
  } catch (error) {
    failure = error;
  }
  try {
    await session.dispose();
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
}

/**
 * Expects the connection to fail the WebSocket connection with `code` (RFC 6455 §7.1.7): the peer
 * gets a close frame with exactly that code, answers it, and the connection reports `code`.
 * Returns the frames received before the close frame.
 */
export async function expectFailure(
  session: Session,
  code: number,
  ms = 3_000,
): ReturnType<Session["peer"]["readClose"]> {
  const { peer, conn } = session;
  const close = await peer.readClose(ms);
  assert.equal(close.code, code, `close code (reason "${close.reason}")`);
  await peer.sendClose(code).catch(() => {});
  if (peer.role === "client") {
    // The server ends its output right after the close frame, so the client need not wait.
    assert.deepEqual(await peer.readToEnd(500), [], "nothing after the close frame");
  }
  peer.close();
  const info = await withTimeout(conn.closed, ms, "connection to close");
  assert.equal(info.code, code, "code reported by conn.closed");
  assert.equal(info.wasClean, false, "a failed connection is not closed cleanly");
  return close;
}

/**
 * Completes a close handshake the peer starts with `code` and `reason`: the connection must
 * answer with the same status code (RFC 6455 §5.5.1) and report what the peer sent.
 */
export async function expectCloseEcho(
  session: Session,
  code: number | undefined,
  reason = "",
): Promise<void> {
  const { peer, conn } = session;
  await peer.sendClose(code, reason);
  const close = await peer.readClose();
  assert.deepEqual(close.before, [], "no frame before the close reply");
  assert.equal(close.code, code, "echoed status code");
  // RFC 6455 §7.1.1: the server closes the TCP connection first.
  if (peer.role === "server") peer.close();
  else assert.deepEqual(await peer.readToEnd(), [], "nothing after the close frame");
  const info = await withTimeout(conn.closed, 3_000, "connection to close");
  assert.deepEqual(
    { code: info.code, reason: info.reason, wasClean: info.wasClean },
    { code: code ?? 1005, reason, wasClean: true },
  );
}

/** Sends a text message and expects it echoed unchanged, as one text message. */
export async function expectTextEcho(session: Session, text: string): Promise<void> {
  await session.peer.sendText(text);
  assert.equal(await session.peer.readText(), text);
}

/** Expects the next frame to be a pong carrying `payload`. */
export async function expectPong(session: Session, payload: Uint8Array): Promise<void> {
  const frame = await session.peer.readFrame();
  assert.ok(frame !== null, "a pong, not the end of input");
  assert.equal(frame.opcode, OPCODE.PONG);
  assert.deepEqual(frame.payload, payload);
}
