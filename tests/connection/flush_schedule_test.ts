// When sends are written: at once when the application asks for its next message, and otherwise
// by one shared flush right after the current event-loop turn, armed only if some connection is
// still waiting for it once the code that sent has run on.
import assert from "node:assert/strict";
import { Connection } from "../../src/connection/connection.ts";
import { _SocketTransport } from "../../src/connection/_socket_transport.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/mod.ts";
import { concat } from "../protocol/_split.ts";
import { scriptedSocket } from "./_scripted_socket.ts";

const te = new TextEncoder();

function serverConnection(conn: Deno.Conn): Connection {
  return new Connection(new _SocketTransport(conn), {
    role: "server",
    keepalive: { pingInterval: 0 },
    // The scripted peer never answers a close.
    closeTimeout: 20,
  });
}

function textFrame(text: string, mask: boolean): Uint8Array {
  return encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode(text) }, {
    mask,
  });
}

// Counts `setImmediate` calls while `body` runs.
async function countingImmediates(body: () => Promise<void>): Promise<number> {
  const global = globalThis as { setImmediate: (fn: () => void) => unknown };
  const original = global.setImmediate;
  let count = 0;
  global.setImmediate = (fn: () => void) => {
    count++;
    return original(fn);
  };
  try {
    await body();
  } finally {
    global.setImmediate = original;
  }
  return count;
}

async function until(done: () => boolean, what: string, ms = 1_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

Deno.test("sends from a timer on several connections are written by one shared flush", async () => {
  const sockets = [scriptedSocket(), scriptedSocket(), scriptedSocket()];
  const connections = sockets.map(({ conn }) => serverConnection(conn));
  const arms = await countingImmediates(async () => {
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        for (const [index, connection] of connections.entries()) {
          assert.ok(connection.send(`to ${index}`));
          assert.ok(connection.send(`again ${index}`));
        }
        resolve();
      }, 0)
    );
    await until(() => sockets.every(({ wire }) => wire.length > 0), "every connection's write");
  });
  assert.equal(arms, 1);
  for (const [index, { wire }] of sockets.entries()) {
    // Both sends of a connection went out in one write.
    assert.deepEqual(wire, [
      concat(textFrame(`to ${index}`, false), textFrame(`again ${index}`, false)),
    ]);
  }
  for (const connection of connections) connection.close();
});

Deno.test("an echo loop answering one message per read arms no shared flush", async () => {
  const texts = Array.from({ length: 20 }, (_, i) => `request ${i}`);
  const { conn, wire } = scriptedSocket({ inputs: texts.map((text) => textFrame(text, true)) });
  const connection = serverConnection(conn);
  const arms = await countingImmediates(async () => {
    (async () => {
      for await (const message of connection) connection.send(message.data);
    })();
    await until(() => wire.length === texts.length, "every echo");
  });
  assert.equal(arms, 0);
  assert.deepEqual(wire, texts.map((text) => textFrame(text, false)));
  connection.close();
});

Deno.test("a reply sent before an await is written without waiting for the await", async () => {
  const { conn, wire } = scriptedSocket({ inputs: [textFrame("ping", true)] });
  const connection = serverConnection(conn);
  let resume!: () => void;
  const slow = new Promise<void>((resolve) => (resume = resolve));
  const loop = (async () => {
    for await (const message of connection) {
      connection.send(`re: ${message.data}`);
      await slow; // say, a database call
    }
  })();
  await until(() => wire.length === 1, "the reply", 500);
  assert.deepEqual(wire, [textFrame("re: ping", false)]);
  resume();
  connection.close();
  await connection.closed;
  await loop;
});
