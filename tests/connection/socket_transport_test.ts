import assert from "node:assert/strict";
import { _readSome, _SocketTransport, _writeAll } from "../../src/connection/_socket_transport.ts";

// A connected pair of TCP sockets on 127.0.0.1: [accepted, dialled].
async function socketPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dialled = Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const accepted = await listener.accept();
  listener.close();
  return [accepted, await dialled];
}

async function readExactly(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const read = await conn.read(bytes.subarray(filled));
    if (read === null) throw new Error("Cannot read: the peer closed early");
    filled += read;
  }
  return bytes;
}

Deno.test("_SocketTransport reads the leftover bytes first, into the caller's buffers", async () => {
  const [server, client] = await socketPair();
  const transport = new _SocketTransport(server, new Uint8Array([1, 2, 3, 4, 5]));
  const small = new Uint8Array(3);
  assert.equal(await transport.read(small), 3);
  assert.deepEqual(small, new Uint8Array([1, 2, 3]));
  await _writeAll(client, new Uint8Array([6, 7]));
  const rest = new Uint8Array(8);
  assert.equal(await transport.read(rest), 2);
  assert.deepEqual(rest.subarray(0, 2), new Uint8Array([4, 5]));
  let got = 0;
  while (got < 2) got += (await transport.read(rest.subarray(got))) ?? 0;
  assert.deepEqual(rest.subarray(0, 2), new Uint8Array([6, 7]));
  client.close();
  assert.equal(await transport.read(rest), null);
  transport.close();
});

Deno.test("_SocketTransport writes every byte of a chunk larger than the socket buffers", async () => {
  const [server, client] = await socketPair();
  const transport = new _SocketTransport(server);
  const chunk = new Uint8Array(8 * 1024 * 1024).map((_, i) => i % 251);
  const [, received] = await Promise.all([
    transport.write(chunk),
    readExactly(client, chunk.length),
  ]);
  assert.deepEqual(received, chunk);
  transport.close();
  client.close();
});

Deno.test("_SocketTransport builds its readable and writable streams only when asked", async () => {
  const [server, client] = await socketPair();
  const transport = new _SocketTransport(server, new Uint8Array([9]));
  const writer = transport.writable.getWriter();
  await writer.write(new Uint8Array([1, 2]));
  assert.deepEqual(await readExactly(client, 2), new Uint8Array([1, 2]));
  await _writeAll(client, new Uint8Array([10]));
  const reader = transport.readable.getReader({ mode: "byob" });
  const first = await reader.read(new Uint8Array(4));
  assert.deepEqual(first.value, new Uint8Array([9]));
  const second = await reader.read(new Uint8Array(4));
  assert.deepEqual(second.value, new Uint8Array([10]));
  client.close();
  assert.equal((await reader.read(new Uint8Array(4))).done, true);
  transport.close();
});

Deno.test("_readSome reads into a fresh buffer of the given size and reports the end", async () => {
  const [server, client] = await socketPair();
  await _writeAll(client, new Uint8Array([1, 2, 3]));
  const result = await _readSome(server, 2);
  assert.equal(result.done, false);
  assert.deepEqual(result.value, new Uint8Array([1, 2]));
  assert.equal(result.value!.buffer.byteLength, 2);
  client.close();
  let done = false;
  while (!done) done = (await _readSome(server, 16)).done;
  server.close();
});
