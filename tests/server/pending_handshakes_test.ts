import assert from "node:assert/strict";
import { serve, type WebSocketConnection } from "../../mod.ts";
import { closeQuietly, rawConnect, rawUpgrade } from "./_helpers.ts";

const local = { hostname: "127.0.0.1", port: 0 } as const;

async function echo(conn: WebSocketConnection): Promise<void> {
  for await (const message of conn) conn.send(message.data);
}

// Resolves `true` once the server ends `conn` (EOF or reset), `false` if it is still open after
// `ms`. The read left pending in that case settles when the test closes `conn`.
async function closedWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  const read = conn.read(new Uint8Array(16)).then((n) => n === null, () => true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("streams engine closes the oldest silent connections beyond maxPendingHandshakes", async () => {
  // A timeout far longer than the test: only the bound can close anything.
  await using server = serve(
    { ...local, maxPendingHandshakes: 20, handshakeTimeout: 60_000 },
    echo,
  );
  const port = server.addr.port;
  const silent: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < 60; i++) silent.push(await rawConnect(port));
    // The 61st connection is a real client: it must not wait behind the silent ones.
    const started = Date.now();
    closeQuietly(await rawUpgrade(port, 3_000));
    assert.ok(Date.now() - started < 3_000);
    // 61 connections against a bound of 20: the 41 oldest silent ones were closed, the newest 19
    // still wait for their head (19 + the finished upgrade).
    const oldest = await Promise.all(silent.slice(0, 40).map((conn) => closedWithin(conn, 3_000)));
    assert.deepEqual(oldest, Array(40).fill(true), "an old silent connection was left open");
    const newest = await Promise.all(silent.slice(41).map((conn) => closedWithin(conn, 300)));
    assert.deepEqual(newest, Array(19).fill(false), "a recent silent connection was closed");
  } finally {
    for (const conn of silent) closeQuietly(conn);
  }
});
