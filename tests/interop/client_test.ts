// Our client, connect(), against servers we did not write: Deno.serve + Deno.upgradeWebSocket and
// the `ws` package. Complements tests/client (which covers the handshake and the basic cases):
// exact payloads seen by the server, 16 MiB messages both ways sent in fragments, the close code
// table in both directions with the reason and cleanliness on both sides, and pings.
import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import type { WebSocketConnection } from "../../src/connection/mod.ts";
import type { Message } from "../../src/protocol/mod.ts";
import { type PeerServer, startDenoPeer, startWsPeer } from "./_peer_servers.ts";
import { assertSameBytes, LARGE, largeText, pattern, UNICODE_TEXT, within } from "./_util.ts";

const encoder = new TextEncoder();

const PEERS: [string, () => PeerServer | Promise<PeerServer>][] = [
  ["Deno.upgradeWebSocket", startDenoPeer],
  ["ws", startWsPeer],
];

/** The next `count` messages, bounded in time. */
function take(conn: WebSocketConnection, count: number, what: string): Promise<Message[]> {
  return within(
    (async () => {
      const messages: Message[] = [];
      for await (const message of conn) {
        messages.push(message);
        if (messages.length === count) break;
      }
      return messages;
    })(),
    what,
  );
}

async function closeClean(conn: WebSocketConnection, peer: PeerServer): Promise<void> {
  conn.close(1000, "done");
  assert.deepEqual({ ...await within(conn.closed, "the client's close") }, {
    code: 1000,
    reason: "done",
    wasClean: true,
  });
  assert.deepEqual(await peer.closes.next(), { code: 1000, reason: "done", wasClean: true });
}

for (const [name, start] of PEERS) {
  Deno.test(`connect exchanges text, UTF-8, binary and empty messages with a ${name} server`, async () => {
    await using peer = await start();
    const conn = await connect(`${peer.wsBase}/echo`);
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    conn.send(UNICODE_TEXT);
    conn.send("");
    conn.send(bytes);
    conn.send(new Uint8Array(0));
    assert.deepEqual(await take(conn, 4, "echoes"), [
      { type: "text", data: UNICODE_TEXT },
      { type: "text", data: "" },
      { type: "binary", data: bytes },
      { type: "binary", data: new Uint8Array(0) },
    ]);
    assert.deepEqual(await peer.received.next(), {
      binary: false,
      data: encoder.encode(UNICODE_TEXT),
    });
    assert.deepEqual(await peer.received.next(), { binary: false, data: new Uint8Array(0) });
    assert.deepEqual(await peer.received.next(), { binary: true, data: bytes });
    assert.deepEqual(await peer.received.next(), { binary: true, data: new Uint8Array(0) });
    await closeClean(conn, peer);
  });

  Deno.test(`connect sends 16 MiB binary and 2 MiB text in 1 MiB fragments to a ${name} server and back`, async () => {
    await using peer = await start();
    const conn = await connect(`${peer.wsBase}/echo`, {
      fragmentSize: 1024 * 1024,
      maxBufferedAmount: 64 * 1024 * 1024,
    });
    const bytes = pattern(LARGE);
    // Fragments end inside multi-byte characters.
    const text = largeText(2 * 1024 * 1024);
    assert.equal(conn.send(bytes), true);
    assert.equal(conn.send(text), true);
    const got = await peer.received.next("16 MiB binary at the server");
    assert.equal(got.binary, true);
    assertSameBytes(got.data, bytes, "server side, binary");
    const gotText = await peer.received.next("2 MiB text at the server");
    assert.equal(gotText.binary, false);
    assertSameBytes(gotText.data, encoder.encode(text), "server side, text");
    const [echoBytes, echoText] = await take(conn, 2, "the echoes");
    assert.equal(echoBytes?.type, "binary");
    assertSameBytes(echoBytes.data, bytes, "client side, binary");
    assert.equal(echoText?.type, "text");
    assert.ok(echoText.data === text, "client side, text differs");
    await closeClean(conn, peer);
  });

  for (const code of [1000, 1001, 3000, 4999]) {
    Deno.test(`connect closes with ${code} and a reason; a ${name} server sees them`, async () => {
      await using peer = await start();
      const conn = await connect(`${peer.wsBase}/echo`);
      const reason = `client bye ✓ ${code}`;
      conn.close(code, reason);
      assert.deepEqual(await peer.closes.next("the server's close"), {
        code,
        reason,
        wasClean: true,
      });
      // Both servers echo code and reason.
      assert.deepEqual({ ...await within(conn.closed, "the client's close") }, {
        code,
        reason,
        wasClean: true,
      });
    });

    Deno.test(`A ${name} server closes with ${code} and a reason; connect reports them`, async () => {
      await using peer = await start();
      const reason = `server bye ✓ ${code}`;
      const conn = await connect(
        `${peer.wsBase}/close?code=${code}&reason=${encodeURIComponent(reason)}`,
      );
      assert.deepEqual({ ...await within(conn.closed, "the client's close") }, {
        code,
        reason,
        wasClean: true,
      });
      // Our connection echoes the code alone (RFC 6455 §5.5.1).
      assert.deepEqual(await peer.closes.next("the server's close"), {
        code,
        reason: "",
        wasClean: true,
      });
    });
  }
}

Deno.test("connect answers a ws server's ping with the same data, and its ping reaches ws", async () => {
  await using peer = await startWsPeer();
  const conn = await connect(`${peer.wsBase}/ping?data=${encodeURIComponent("server ping ✓")}`);
  assert.deepEqual(await peer.pongs.next("the pong"), encoder.encode("server ping ✓"));
  assert.equal(conn.ping("client ping"), true);
  assert.equal(conn.ping(new Uint8Array(125).fill(9)), true);
  assert.deepEqual(await peer.pings.next("ping 1"), encoder.encode("client ping"));
  assert.deepEqual(await peer.pings.next("ping 2"), new Uint8Array(125).fill(9));
  // The connection is still usable after the control frames.
  conn.send("after");
  assert.deepEqual(await take(conn, 1, "echo"), [{ type: "text", data: "after" }]);
  await closeClean(conn, peer);
});
