// Connections made one after another with different options each keep their own: resolved
// options are shared only between connections whose options are the same.
import assert from "node:assert/strict";
import { Connection } from "../../src/connection/connection.ts";
import { _SocketTransport } from "../../src/connection/_socket_transport.ts";
import type { ConnectionOptions } from "../../src/connection/mod.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/mod.ts";
import { scriptedSocket } from "./_scripted_socket.ts";

function connection(options: Partial<ConnectionOptions>): Connection {
  // Never any input, and no write ever finishes: sent bytes stay buffered.
  const { conn } = scriptedSocket({ write: () => new Promise<number>(() => {}) });
  return new Connection(new _SocketTransport(conn), {
    role: "server",
    keepalive: { pingInterval: 0 },
    closeTimeout: 10,
    slowConsumer: { policy: "drop" },
    ...options,
  });
}

// How many 10-byte messages the connection accepts before its slow-consumer policy drops one.
function accepted(conn: Connection): number {
  let count = 0;
  while (conn.send("0123456789") && count < 1_000) count++;
  return count;
}

Deno.test("connections made in turn with different options keep their own", () => {
  // Each 10-byte text is a 12-byte frame; the first write takes the first one out of the count.
  const small = connection({ maxBufferedAmount: 120 });
  const large = connection({ maxBufferedAmount: 1_200 });
  const smallAgain = connection({ maxBufferedAmount: 120 });
  const counts = [small, large, smallAgain].map(accepted);
  assert.ok(counts[1]! > counts[0]! * 5, `accepted ${counts}`);
  assert.equal(counts[2], counts[0]);
  for (const conn of [small, large, smallAgain]) assert.equal(conn.droppedMessages, 1);
  for (const conn of [small, large, smallAgain]) conn.close();
});

Deno.test("connections made in turn with different limits keep their own", async () => {
  const frame = encodeFrame(
    { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: new TextEncoder().encode("0123456789") },
    { mask: true },
  );
  // Each connection reads one 10-byte text message, then nothing.
  const make = (limits?: { maxMessageSize: number }) =>
    new Connection(new _SocketTransport(scriptedSocket({ inputs: [frame] }).conn), {
      role: "server",
      keepalive: { pingInterval: 0 },
      closeTimeout: 10,
      ...(limits === undefined ? {} : { limits }),
    });
  const open = make();
  const limited = make({ maxMessageSize: 5 });
  const openAgain = make();
  const first = async (conn: Connection) => {
    for await (const message of conn) return message.data;
    return null;
  };
  assert.equal(await first(open), "0123456789");
  assert.equal(await first(limited), null);
  assert.equal((await limited.closed).code, 1009);
  assert.equal(await first(openAgain), "0123456789");
  open.close();
  openAgain.close();
  await Promise.all([open.closed, openAgain.closed]);
});
