// A socket write may take only part of a chunk: the connection writes the rest, in order, and
// counts it in bufferedAmount until it is written.
import assert from "node:assert/strict";
import { Connection } from "../../src/connection/connection.ts";
import { _SocketTransport } from "../../src/connection/_socket_transport.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/mod.ts";
import { concat } from "../protocol/_split.ts";
import { scriptedSocket } from "./_scripted_socket.ts";

Deno.test("partial socket writes are completed in order and counted until written", async () => {
  const wire: Uint8Array[] = [];
  const sizes: number[] = [];
  let completed = 0;
  // Never gives the connection any input: only writes are tested.
  const { conn } = scriptedSocket({
    write(bytes: Uint8Array): Promise<number> {
      const count = Math.min(bytes.length, 7);
      wire.push(bytes.slice(0, count));
      sizes.push(bytes.length);
      return new Promise((resolve) =>
        setTimeout(() => {
          completed += count;
          resolve(count);
        }, 0)
      );
    },
  });
  const connection = new Connection(new _SocketTransport(conn), {
    role: "server",
    keepalive: { pingInterval: 0 },
  });
  const texts = ["first message", "second", "x".repeat(300), "é and more"];
  for (const text of texts) assert.ok(connection.send(text));
  const te = new TextEncoder();
  const expected = concat(
    ...texts.map((text) =>
      encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode(text) })
    ),
  );
  assert.equal(connection.bufferedAmount, expected.length);
  // Half way through, the unwritten rest is still counted.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const written = completed;
  assert.ok(written > 0 && written < expected.length, `${written} of ${expected.length} written`);
  assert.equal(connection.bufferedAmount, expected.length - written);
  await connection.drained();
  assert.deepEqual(concat(...wire), expected);
  assert.equal(connection.bufferedAmount, 0);
  // Each write after the first asked for exactly what the previous one left.
  for (let i = 1; i < sizes.length; i++) {
    if (sizes[i - 1]! > 7) assert.equal(sizes[i], sizes[i - 1]! - 7);
  }
  connection.close();
});
