/**
 * Peers that go away at every stage of a connection, many at once: each engine must end up with
 * no connection left, its memory released, and still serve a well-behaved client.
 */
import assert from "node:assert/strict";
import { serve, type WebSocketConnection } from "../../mod.ts";
import { OPCODE } from "../../src/protocol/mod.ts";
import { until } from "../_until.ts";
import {
  clientFrame,
  closeEvent,
  closeQuietly,
  ENGINES,
  nextMessage,
  openWebSocket,
  rawConnect,
  rawUpgrade,
  upgradeHead,
  write,
} from "./_helpers.ts";

async function echo(conn: WebSocketConnection): Promise<void> {
  for await (const message of conn) conn.send(message.data);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The ways a peer goes away. Each does its part, then resolves with how it vanishes, so that all
// of them are connected at once before any goes.
const PEERS: Record<string, (port: number) => Promise<() => void>> = {
  "closes in the middle of its request head": async (port) => {
    const conn = await rawConnect(port);
    await write(conn, upgradeHead().slice(0, 40));
    return () => closeQuietly(conn);
  },
  "closes in the middle of a frame": async (port) => {
    const conn = await rawUpgrade(port);
    await write(conn, clientFrame(OPCODE.BINARY, new Uint8Array(1024)).subarray(0, 600));
    return () => closeQuietly(conn);
  },
  // Closing a socket with unread data makes the kernel reset it (RST), not end it (FIN).
  "resets while its replies are still unread": async (port) => {
    const conn = await rawUpgrade(port);
    for (let i = 0; i < 50; i++) await write(conn, clientFrame(OPCODE.TEXT, `message ${i}`));
    return () => closeQuietly(conn);
  },
  "sends garbage frames and closes": async (port) => {
    const conn = await rawUpgrade(port);
    await write(conn, crypto.getRandomValues(new Uint8Array(2048)));
    return () => closeQuietly(conn);
  },
  "announces a huge frame and closes": async (port) => {
    const conn = await rawUpgrade(port);
    // A masked binary frame claiming 2^40 bytes.
    await write(conn, new Uint8Array([0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
    return () => closeQuietly(conn);
  },
};

for (const engine of ENGINES) {
  Deno.test(`${engine} engine: peers that go away at every stage leave no connection behind`, async () => {
    await using server = serve(
      { hostname: "127.0.0.1", port: 0, engine, handshakeTimeout: 2_000, closeTimeout: 1_000 },
      echo,
    );
    const port = server.addr.port;
    for (let round = 0; round < 2; round++) {
      const peers = [];
      for (const peer of Object.values(PEERS)) {
        for (let i = 0; i < 20; i++) peers.push(peer(port));
      }
      const vanish = await Promise.all(peers);
      // The peers mid-frame and with unread replies are upgraded and waiting (the others may be
      // closed by the server already).
      await wait(50);
      assert.ok(server.connections >= 40, `${server.connections} connections before they go`);
      for (const go of vanish) go();
      await until(() => server.connections === 0, `no connection left (${engine})`, 10_000);
    }
    // Still serving: a message goes there and back.
    const ws = await openWebSocket(server.url);
    ws.send("after the storm");
    assert.equal(await nextMessage(ws), "after the storm");
    ws.close();
    await closeEvent(ws);
  });
}
