// A read that fails ends the connection as abnormal (1006), unless a close frame was received
// before it: then the close handshake is complete, and the close is the peer's and clean. A TLS
// peer that closes its socket without close_notify after the close handshake makes exactly that
// read fail.
import assert from "node:assert/strict";
import { Connection } from "../../src/connection/connection.ts";
import { _SocketTransport } from "../../src/connection/_socket_transport.ts";
import { CLOSE_CODE, encodeFrame, OPCODE } from "../../src/protocol/mod.ts";
import { concat } from "../protocol/_split.ts";
import { scriptedSocket } from "./_scripted_socket.ts";

const te = new TextEncoder();

function closeFrame(code: number, reason: string): Uint8Array {
  const payload = concat(new Uint8Array([code >> 8, code & 0xff]), te.encode(reason));
  return encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.CLOSE, payload }, { mask: true });
}

function textFrame(text: string): Uint8Array {
  return encodeFrame(
    { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: te.encode(text) },
    { mask: true },
  );
}

function serverOver(inputs: Uint8Array[]) {
  const socket = scriptedSocket({ inputs, then: "fail" });
  const connection = new Connection(new _SocketTransport(socket.conn), {
    role: "server",
    keepalive: { pingInterval: 0 },
  });
  return { connection, wire: socket.wire };
}

// The connection ended abnormally (1006), with the read's error.
async function assertReadFailed(connection: Connection): Promise<void> {
  const { code, reason, wasClean, error } = await connection.closed;
  assert.deepEqual({ code, reason, wasClean }, {
    code: CLOSE_CODE.ABNORMAL,
    reason: "read failed",
    wasClean: false,
  });
  assert.ok(error instanceof Deno.errors.UnexpectedEof);
}

Deno.test("a read that fails after the peer's close frame ends the connection cleanly", async () => {
  const { connection, wire } = serverOver([textFrame("last"), closeFrame(4001, "bye")]);
  const messages = [];
  for await (const message of connection) messages.push(message);
  assert.deepEqual(messages, [{ type: "text", data: "last" }]);
  assert.deepEqual(await connection.closed, { code: 4001, reason: "bye", wasClean: true });
  // The close frame was answered with the peer's code before the connection ended.
  const written = concat(...wire);
  const close = written.subarray(written.length - 4);
  assert.deepEqual([...close], [0x88, 0x02, 4001 >> 8, 4001 & 0xff]);
});

Deno.test("a read that fails after a close frame we sent first still needs the peer's", async () => {
  const { connection } = serverOver([textFrame("hello")]);
  for await (const message of connection) {
    assert.deepEqual(message, { type: "text", data: "hello" });
    connection.close(4002, "going");
  }
  await assertReadFailed(connection);
});

Deno.test("a read that fails with no close frame is abnormal (1006)", async () => {
  const { connection } = serverOver([textFrame("hello")]);
  const messages = [];
  for await (const message of connection) messages.push(message);
  assert.deepEqual(messages, [{ type: "text", data: "hello" }]);
  await assertReadFailed(connection);
});
