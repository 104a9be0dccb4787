import assert from "node:assert/strict";
import { serve, type WebSocketConnection } from "../../mod.ts";
import {
  clientFrame,
  closeCodeAfter101,
  closeQuietly,
  nextMessage,
  openWebSocket,
  rawConnect,
  rawUpgrade,
  readToEnd,
  statusOf,
  upgradeHead,
  write,
} from "./_helpers.ts";

const local = { hostname: "127.0.0.1", port: 0 } as const;

async function echo(conn: WebSocketConnection): Promise<void> {
  for await (const message of conn) conn.send(message.data);
}

// After each hostile peer, the server must still serve a well-behaved one.
async function assertStillServes(url: string): Promise<void> {
  const ws = await openWebSocket(url);
  ws.send("still here");
  assert.equal(await nextMessage(ws), "still here");
  ws.close();
  await new Promise((resolve) => (ws.onclose = resolve));
}

// Sends `bytes` on a new connection and returns everything the server writes before it closes
// (failing after `timeout` ms).
async function replyTo(
  port: number,
  bytes: string | Uint8Array,
  timeout?: number,
): Promise<Uint8Array> {
  const conn = await rawConnect(port);
  await write(conn, bytes);
  return await readToEnd(conn, timeout);
}

Deno.test("streams engine answers garbage bytes with 400 and keeps serving", async () => {
  await using server = serve({ ...local, handshakeTimeout: 2_000 }, echo);
  const garbage = [
    new Uint8Array([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10]),
    "GET / HTTP/1.1\nHost: a\n\n\r\n\r\n",
    "GET / HTTP/1.1\r\nBad Header : x\r\n\r\n",
    "\r\n\r\n",
    "GET / HTTP/3.0\r\nHost: a\r\n\r\n",
  ];
  for (const bytes of garbage) {
    const status = statusOf(await replyTo(server.addr.port, bytes));
    assert.ok(status === 400 || status === 505, `status ${status}`);
  }
  // Random bytes: an error status or a plain close, never a crash.
  for (let i = 0; i < 20; i++) {
    const conn = await rawConnect(server.addr.port);
    await write(conn, crypto.getRandomValues(new Uint8Array(1 + i * 97)));
    conn.closeWrite();
    await readToEnd(conn);
  }
  await assertStillServes(server.url);
});

// Connects to `port` `count` times from another process and resets each connection (RST) at once.
// The call blocks this process's event loop until that process is done, so the server in this
// process cannot accept any of them before it is reset: its `accept` then fails.
function resetBeforeAccept(port: number, count: number): void {
  const script = `
    import net from "node:net";
    for (let i = 0; i < ${count}; i++) {
      await new Promise((resolve) => {
        const socket = net.connect(${port}, "127.0.0.1", () => socket.resetAndDestroy());
        socket.on("close", resolve);
        socket.on("error", () => {});
      });
    }`;
  const { success, stderr } = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  assert.ok(success, new TextDecoder().decode(stderr));
}

// The server answers an upgrade with 101 within 5 s (a server that stopped accepting never does).
async function assertAnswersUpgrade(port: number): Promise<void> {
  closeQuietly(await rawUpgrade(port, 5_000));
}

for (const engine of ["streams", "native"] as const) {
  Deno.test(`${engine} engine keeps accepting after peers reset before they are accepted`, async () => {
    await using server = serve({ ...local, engine }, echo);
    resetBeforeAccept(server.addr.port, 5);
    await assertAnswersUpgrade(server.addr.port);
    resetBeforeAccept(server.addr.port, 1);
    await assertAnswersUpgrade(server.addr.port);
    await assertStillServes(server.url);
  });
}

Deno.test("streams engine answers 400 at once to bytes that cannot begin a request", async () => {
  // A handshake timeout far longer than the test: the answer must not wait for it.
  await using server = serve({ ...local, handshakeTimeout: 60_000 }, echo);
  const starts: (string | Uint8Array)[] = [
    new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), // TLS
    "GET / HTTP/1.1\nHost: a\n",
    "GET\t/ HTTP/1.1\r\n",
    "SSH-2.0-OpenSSH_9.6\r\n",
  ];
  for (const start of starts) {
    const answer = await replyTo(server.addr.port, start, 2_000);
    assert.equal(statusOf(answer), 400, JSON.stringify(start));
  }
  // Random bytes that do not begin like a request: 400, without waiting for more.
  let tried = 0;
  while (tried < 10) {
    const bytes = crypto.getRandomValues(new Uint8Array(200));
    // A first byte that is not a token character: no method can start with it.
    if (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(String.fromCharCode(bytes[0]!))) continue;
    tried++;
    assert.equal(statusOf(await replyTo(server.addr.port, bytes, 2_000)), 400);
  }
  await assertStillServes(server.url);
});

Deno.test("streams engine refuses invalid upgrade attempts with the handshake error status", async () => {
  await using server = serve(local, echo);
  const cases: [string, number][] = [
    [upgradeHead().replace(/Sec-WebSocket-Key: .*\r\n/, "Sec-WebSocket-Key: short\r\n"), 400],
    [upgradeHead().replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"), 426],
    [upgradeHead().replace("GET", "POST"), 405],
    [upgradeHead().replace("HTTP/1.1", "HTTP/1.0"), 400],
    [upgradeHead("/", ["Sec-WebSocket-Protocol: a, a"]), 400],
  ];
  for (const [head, expected] of cases) {
    const response = await replyTo(server.addr.port, head);
    assert.equal(statusOf(response), expected);
    assert.match(new TextDecoder().decode(response), /connection: close/i);
  }
  await assertStillServes(server.url);
});

Deno.test("streams engine closes on a truncated head and answers 431 to a huge one", async () => {
  await using server = serve({ ...local, limits: { maxHandshakeHeadSize: 4096 } }, echo);
  const truncated = await rawConnect(server.addr.port);
  await write(truncated, upgradeHead().slice(0, 40));
  truncated.closeWrite();
  assert.equal((await readToEnd(truncated)).length, 0);

  const huge = `GET / HTTP/1.1\r\nX-Filler: ${"a".repeat(64 * 1024)}\r\n\r\n`;
  assert.equal(statusOf(await replyTo(server.addr.port, huge)), 431);

  const endless = "GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(1000);
  assert.equal(statusOf(await replyTo(server.addr.port, endless)), 431);
  await assertStillServes(server.url);
});

Deno.test("streams engine drops a slowloris peer after the handshake timeout", async () => {
  await using server = serve({ ...local, handshakeTimeout: 300 }, echo);
  const conn = await rawConnect(server.addr.port);
  const head = upgradeHead();
  const started = Date.now();
  let closedByServer = false;
  for (let i = 0; i < head.length - 4; i++) {
    await write(conn, head[i]!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (Date.now() - started > 1_500) break;
    const probe = await Promise.race([
      conn.read(new Uint8Array(16)).then(() => true, () => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 1)),
    ]);
    if (probe) {
      closedByServer = true;
      break;
    }
  }
  conn.close();
  assert.ok(closedByServer, "the server kept a slowloris connection open");
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 250 && elapsed < 1_500, `closed after ${elapsed} ms`);
  await assertStillServes(server.url);
});

Deno.test("streams engine answers 503 beyond maxConnections", async () => {
  await using server = serve({ ...local, maxConnections: 2 }, echo);
  const a = await openWebSocket(server.url);
  const b = await openWebSocket(server.url);
  assert.equal(server.connections, 2);
  assert.equal(statusOf(await replyTo(server.addr.port, upgradeHead())), 503);
  a.close();
  await new Promise((resolve) => (a.onclose = resolve));
  // A slot is free again.
  await assertStillServes(server.url);
  b.close();
  await new Promise((resolve) => (b.onclose = resolve));
});

Deno.test("native engine answers 503 beyond maxConnections", async () => {
  await using server = serve({ ...local, engine: "native", maxConnections: 1 }, echo);
  const a = await openWebSocket(server.url);
  await assert.rejects(openWebSocket(server.url));
  a.close();
  await new Promise((resolve) => (a.onclose = resolve));
});

Deno.test("streams engine closes one connection with the right code for protocol errors", async () => {
  await using server = serve(
    { ...local, closeTimeout: 300, limits: { maxMessageSize: 1024 } },
    echo,
  );
  const cases: [Uint8Array, number][] = [
    // Unmasked frame from a client: 1002.
    [new Uint8Array([0x81, 0x02, 0x68, 0x69]), 1002],
    // Reserved opcode: 1002.
    [new Uint8Array([0x83, 0x81, 0, 0, 0, 0, 0x78]), 1002],
    // Invalid UTF-8 in a text message: 1007.
    [clientFrame(0x1, new Uint8Array([0xff, 0xfe])), 1007],
    // Over maxMessageSize: 1009.
    [clientFrame(0x2, new Uint8Array(2048)), 1009],
    // Random bytes after the handshake.
    [new Uint8Array([0x8f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1002],
  ];
  for (const [frame, code] of cases) {
    const conn = await rawConnect(server.addr.port);
    const head = new TextEncoder().encode(upgradeHead());
    // Head and the bad frame in one write: the leftover bytes after the head are decoded too.
    const bytes = new Uint8Array(head.length + frame.length);
    bytes.set(head);
    bytes.set(frame, head.length);
    await write(conn, bytes);
    const response = await readToEnd(conn);
    assert.equal(statusOf(response), 101);
    assert.equal(closeCodeAfter101(response), code);
  }
  await assertStillServes(server.url);
  assert.equal(server.connections, 0);
});
