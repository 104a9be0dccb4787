// A connection over a socket reads into the same buffer again when nothing decoded from the last
// read is still referenced (text only). Binary payloads are views of their read buffer, so a
// read that held one must never be overwritten by a later read.
import assert from "node:assert/strict";
import { Connection } from "../../src/connection/connection.ts";
import { _SocketTransport } from "../../src/connection/_socket_transport.ts";
import { encodeFrame, type Frame, type Message, OPCODE } from "../../src/protocol/mod.ts";
import { concat } from "../protocol/_split.ts";
import { scriptedSocket } from "./_scripted_socket.ts";

const te = new TextEncoder();
const text = (s: string): Frame => ({
  fin: true,
  rsv: 0,
  opcode: OPCODE.TEXT,
  payload: te.encode(s),
});
const binary = (fill: number, length: number): Frame => ({
  fin: true,
  rsv: 0,
  opcode: OPCODE.BINARY,
  payload: new Uint8Array(length).fill(fill),
});

Deno.test("read buffers are reused after text-only reads and never under a binary message", async () => {
  // Every read is filled with whole frames: which frames share a read is the point of the test.
  const reads: Frame[][] = [
    [text("zero")], // the first read is smaller than the rest: its buffer is not reused
    [text("one"), text("two")], // text only: buffer reused for the next read
    [text("three"), binary(0xa1, 40), text("four")], // holds a binary view: not reused
    [binary(0xb2, 30)], // not reused
    [text("five")], // reused
    [text("six"), binary(0xc3, 50)], // not reused
    [text("seven"), text("eight")],
    [{ fin: true, rsv: 0, opcode: OPCODE.CLOSE, payload: new Uint8Array([0x03, 0xe8]) }],
  ];
  const chunks = reads.map((frames) =>
    concat(...frames.map((f) => encodeFrame({ ...f, payload: f.payload.slice() }, { mask: true })))
  );
  // Reads return the chunks one by one, then the end; the buffers read into are recorded.
  const { conn, buffers } = scriptedSocket({ inputs: chunks, then: "end" });
  const connection = new Connection(new _SocketTransport(conn), {
    role: "server",
    keepalive: { pingInterval: 0 },
  });
  const messages: Message[] = [];
  for await (const message of connection) messages.push(message);
  assert.deepEqual(
    messages,
    reads.flat().filter((f) => f.opcode !== OPCODE.CLOSE).map((f) =>
      f.opcode === OPCODE.TEXT
        ? { type: "text", data: new TextDecoder().decode(f.payload) }
        : { type: "binary", data: f.payload }
    ),
  );
  // buffers[i] is the buffer of read i; after the first, all reads are sized alike.
  assert.equal(buffers[0]!.length, 256);
  assert.ok(buffers.slice(1).every((b) => b.length === buffers[1]!.length));
  assert.equal(buffers[2], buffers[1], "after a text-only read");
  assert.notEqual(buffers[3], buffers[2], "after a read holding a binary message");
  assert.notEqual(buffers[4], buffers[3], "after a read holding a binary message");
  assert.equal(buffers[5], buffers[4], "after a text-only read");
  assert.notEqual(buffers[6], buffers[5], "after a read holding a binary message");
  assert.equal(buffers[7], buffers[6], "after a text-only read");
  assert.equal((await connection.closed).code, 1000);
});
