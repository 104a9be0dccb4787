import assert from "node:assert/strict";
import { Connection } from "../../src/connection/mod.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";

const _encoder = new TextEncoder();
const shared = (text: string) =>
  encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: _encoder.encode(text) });

async function take(conn: Connection, count: number): Promise<string[]> {
  const out: string[] = [];
  for await (const message of conn) {
    out.push(message.data as string);
    if (out.length === count) break;
  }
  return out;
}

Deno.test("sendEncodedFrame and send keep their order on every connection sharing the frames", async () => {
  const frames = ["f1", "f2", "f3", "f4"].map(shared);
  const pairs = [createTransportPair(), createTransportPair()];
  const servers = pairs.map(([a]) => new Connection(a, { role: "server" }));
  const clients = pairs.map(([, b]) => new Connection(b, { role: "client" }));
  servers.forEach((server, i) => {
    server.send(`own ${i}`);
    assert.ok(server.sendEncodedFrame(frames[0]!));
    assert.ok(server.sendEncodedFrame(frames[1]!));
    server.send(`between ${i}`);
    assert.ok(server.sendEncodedFrame(frames[2]!));
  });
  // After a turn (the first write in flight or done), more of both.
  await new Promise((resolve) => setTimeout(resolve, 0));
  servers.forEach((server, i) => {
    assert.ok(server.sendEncodedFrame(frames[3]!));
    server.send(`last ${i}`);
  });
  for (const [i, client] of clients.entries()) {
    assert.deepEqual(await take(client, 7), [
      `own ${i}`,
      "f1",
      "f2",
      `between ${i}`,
      "f3",
      "f4",
      `last ${i}`,
    ]);
  }
  for (const server of servers) assert.equal(server.bufferedAmount, 0);
  for (const server of servers) server.close();
  await Promise.all(servers.map((s) => s.closed));
  for (const client of clients) await client.closed;
});

Deno.test("sendEncodedFrame counts queued shared frames in bufferedAmount", async () => {
  const [a, b] = createTransportPair();
  const server = new Connection(a, { role: "server" });
  const client = new Connection(b, { role: "client" });
  const frame = shared("x".repeat(100));
  for (let i = 0; i < 10; i++) server.sendEncodedFrame(frame);
  assert.equal(server.bufferedAmount, 10 * frame.length);
  assert.equal((await take(client, 10)).length, 10);
  await server.drained();
  assert.equal(server.bufferedAmount, 0);
  server.close();
  await server.closed;
  await client.closed;
});

Deno.test("sends to more connections than one turn's write budget all reach their peers", async () => {
  const count = 300;
  const pairs = Array.from({ length: count }, () => createTransportPair());
  const servers = pairs.map(([a]) => new Connection(a, { role: "server" }));
  const clients = pairs.map(([, b]) => new Connection(b, { role: "client" }));
  const first = shared("first");
  const second = shared("second");
  for (const server of servers) server.sendEncodedFrame(first);
  // Some writes are in flight, others wait for the next turn's budget.
  await new Promise((resolve) => setTimeout(resolve, 0));
  for (const server of servers) server.sendEncodedFrame(second);
  const received = await Promise.all(clients.map((client) => take(client, 2)));
  for (const messages of received) assert.deepEqual(messages, ["first", "second"]);
  await Promise.all(servers.map((server) => server.drained()));
  for (const server of servers) server.close();
  await Promise.all([...servers, ...clients].map((conn) => conn.closed));
});
