// connect() against servers that answer the opening handshake badly, slowly or unusually.
import assert from "node:assert/strict";
import { connect, HandshakeRefusedError } from "../../src/client/mod.ts";
import { _formatRequestHead } from "../../src/client/_request_head.ts";
import { HandshakeError, OPCODE } from "../../src/protocol/mod.ts";
import {
  answerClose,
  type RawRequest,
  serverFrame,
  startEchoServer,
  startRawServer,
  upgradeHead,
  waitForEof,
  writeAll,
} from "./_servers.ts";

Deno.test("connect rejects a 403 with HandshakeRefusedError carrying status and body", async () => {
  await using server = startEchoServer();
  const error = await connect(`ws://127.0.0.1:${server.port}/403`).then(
    () => assert.fail("connected"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof HandshakeRefusedError);
  assert.ok(error instanceof HandshakeError);
  assert.equal(error.status, 403);
  assert.equal(error.text(), "forbidden here");
  assert.match(error.message, /^Cannot open WebSocket: server answered 403/);
});

Deno.test("connect decodes a chunked refusal body", async () => {
  await using server = startEchoServer();
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/chunked`), (error) => {
    assert.ok(error instanceof HandshakeRefusedError);
    assert.equal(error.status, 401);
    assert.equal(error.headers.get("x-reason"), "token");
    assert.equal(error.text(), "chunk one, chunk two");
    return true;
  });
});

Deno.test("connect bounds a refusal body by maxHandshakeHeadSize", async () => {
  await using server = startRawServer(async (conn) => {
    const body = "x".repeat(5000);
    await writeAll(conn, `HTTP/1.1 500 Oops\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await waitForEof(conn);
  });
  await assert.rejects(
    connect(`ws://127.0.0.1:${server.port}/`, { limits: { maxHandshakeHeadSize: 1024 } }),
    (error) => {
      assert.ok(error instanceof HandshakeRefusedError);
      assert.equal(error.status, 500);
      assert.equal(error.statusText, "Oops");
      assert.equal(error.body.length, 1024);
      return true;
    },
  );
});

Deno.test("connect rejects a subprotocol the client did not offer", async () => {
  await using server = startRawServer(async (conn, request) => {
    await writeAll(conn, upgradeHead(request.key, ["Sec-WebSocket-Protocol: other"]));
    await waitForEof(conn);
  });
  for (const protocols of [["chat"], []]) {
    await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`, { protocols }), {
      name: "HandshakeError",
      status: 101,
      message: 'Cannot open WebSocket: server chose subprotocol "other" that was not offered',
    });
  }
});

Deno.test("connect rejects an extension the client did not offer", async () => {
  await using server = startRawServer(async (conn, request) => {
    await writeAll(
      conn,
      upgradeHead(request.key, ["Sec-WebSocket-Extensions: permessage-deflate"]),
    );
    await waitForEof(conn);
  });
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`), {
    name: "HandshakeError",
    message: /extension "permessage-deflate" that was not offered/,
  });
});

Deno.test("connect rejects a wrong Sec-WebSocket-Accept", async () => {
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, upgradeHead("dGhlIHNhbXBsZSBub25jZQ=="));
    await waitForEof(conn);
  });
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`), {
    name: "HandshakeError",
    status: 101,
    message: "Cannot open WebSocket: Sec-WebSocket-Accept does not match the key",
  });
});

Deno.test("connect rejects a malformed status line and a head cut short", async () => {
  await using server = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.1 101\r\nUpgrade websocket\r\n\r\n");
  });
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`), {
    name: "HandshakeError",
    status: 502,
  });
  await using short = startRawServer(async (conn) => {
    await writeAll(conn, "HTTP/1.1 101 Switching Protocols\r\n");
  });
  await assert.rejects(connect(`ws://127.0.0.1:${short.port}/`), {
    name: "HandshakeError",
    message: "Cannot open WebSocket: connection closed before a response",
  });
});

Deno.test("connect rejects a response head over maxHandshakeHeadSize", async () => {
  await using server = startRawServer(async (conn, request) => {
    const padding = Array.from({ length: 40 }, (_, i) => `X-Pad-${i}: ${"a".repeat(500)}`);
    await writeAll(conn, upgradeHead(request.key, padding));
    await waitForEof(conn);
  });
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`), {
    name: "HandshakeError",
    status: 502,
    message: "Cannot open WebSocket: response head exceeds maxHandshakeHeadSize (16384 bytes)",
  });
  await assert.rejects(
    connect(`ws://127.0.0.1:${server.port}/`, { limits: { maxHandshakeHeadSize: 100 } }),
    { message: /\(100 bytes\)/ },
  );
});

Deno.test("connect times out when the server never answers, and closes the socket", async () => {
  let closedByClient = Promise.resolve();
  await using server = startRawServer((conn) => (closedByClient = waitForEof(conn)));
  const started = Date.now();
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`, { handshakeTimeout: 150 }), {
    name: "TimeoutError",
    message: "Cannot open WebSocket: no handshake within 150 ms",
  });
  assert.ok(Date.now() - started < 2_000);
  await closedByClient;
});

Deno.test("connect rejects with the abort reason and closes the socket", async () => {
  let closedByClient = Promise.resolve();
  await using server = startRawServer((conn) => (closedByClient = waitForEof(conn)));
  const controller = new AbortController();
  const reason = new Error("user navigated away");
  setTimeout(() => controller.abort(reason), 50);
  await assert.rejects(
    connect(`ws://127.0.0.1:${server.port}/`, { signal: controller.signal }),
    (error) => error === reason,
  );
  await closedByClient;
  // An already aborted signal rejects before any connection attempt.
  await assert.rejects(
    connect(`ws://127.0.0.1:${server.port}/`, { signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
});

Deno.test("connect delivers frames that arrived with the 101 head first", async () => {
  await using server = startRawServer(async (conn, request) => {
    const head = new TextEncoder().encode(upgradeHead(request.key));
    const first = serverFrame(OPCODE.TEXT, "sent with the head");
    const second = serverFrame(OPCODE.BINARY, new Uint8Array([7, 8, 9]));
    const all = new Uint8Array(head.length + first.length + second.length);
    all.set(head);
    all.set(first, head.length);
    all.set(second, head.length + first.length);
    await writeAll(conn, all); // One write: head and frames arrive together.
    await writeAll(conn, serverFrame(OPCODE.TEXT, "sent later"));
    await answerClose(conn);
  });
  const conn = await connect(`ws://127.0.0.1:${server.port}/`);
  const messages = [];
  for await (const message of conn) {
    messages.push(message);
    if (messages.length === 3) break;
  }
  assert.deepEqual(messages, [
    { type: "text", data: "sent with the head" },
    { type: "binary", data: new Uint8Array([7, 8, 9]) },
    { type: "text", data: "sent later" },
  ]);
  conn.close();
  assert.equal((await conn.closed).wasClean, true);
});

Deno.test("connect sends the request line, Host and handshake headers", async () => {
  let seen: RawRequest | undefined;
  await using server = startRawServer(async (conn, request) => {
    seen = request;
    await writeAll(conn, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
  });
  await assert.rejects(
    connect(`ws://127.0.0.1:${server.port}/a/b?c=d&e=f`, {
      protocols: ["one", "two"],
      headers: { cookie: "id=1" },
    }),
    { status: 404 },
  );
  assert.ok(seen !== undefined);
  assert.equal(seen.head.split("\r\n")[0], "GET /a/b?c=d&e=f HTTP/1.1");
  assert.equal(seen.headers.get("host"), `127.0.0.1:${server.port}`);
  assert.equal(seen.headers.get("upgrade"), "websocket");
  assert.equal(seen.headers.get("connection"), "Upgrade");
  assert.equal(seen.headers.get("sec-websocket-version"), "13");
  assert.equal(seen.headers.get("sec-websocket-protocol"), "one, two");
  assert.equal(seen.headers.get("cookie"), "id=1");
  assert.equal(seen.headers.has("sec-websocket-extensions"), false);
  assert.equal(seen.headers.has("origin"), false);
});

Deno.test("the request head omits default ports and keeps IPv6 brackets", () => {
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const head = (url: string) =>
    decode(_formatRequestHead(new URL(url), "k", new Headers(), [], "")).split("\r\n");
  assert.equal(head("ws://example.com:80/")[1], "host: example.com");
  assert.equal(head("wss://example.com:443/x")[1], "host: example.com");
  assert.equal(head("wss://example.com:8443/x")[1], "host: example.com:8443");
  assert.equal(head("ws://[::1]:9000")[0], "GET / HTTP/1.1");
  assert.equal(head("ws://[::1]:9000")[1], "host: [::1]:9000");
});

Deno.test("connect validates the URL and options before connecting", async () => {
  await assert.rejects(connect("ftp://127.0.0.1/"), {
    name: "TypeError",
    message: "Cannot connect: unsupported scheme ftp:",
  });
  await assert.rejects(connect("not a url"), TypeError);
  const url = "ws://127.0.0.1:9/";
  await assert.rejects(connect(url, { handshakeTimeout: 0 }), RangeError);
  await assert.rejects(connect(url, { protocols: ["a b"] }), TypeError);
  await assert.rejects(connect(url, { protocols: ["a", "a"] }), TypeError);
  await assert.rejects(connect(url, { headers: { "Sec-WebSocket-Key": "x" } }), {
    message: "Cannot connect: header sec-websocket-key is set by the handshake",
  });
  await assert.rejects(connect(url, { headers: { "x-bad": "a\nb" } }), TypeError);
  await assert.rejects(connect(url, { closeTimeout: -1 }), RangeError);
  await assert.rejects(connect(url, { limits: { maxHandshakeHeadSize: 0 } }), RangeError);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(connect(url, { extensions: [{} as any] }), TypeError);
});

Deno.test("connect reports a refused TCP connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  await assert.rejects(connect(`ws://127.0.0.1:${port}/`), Deno.errors.ConnectionRefused);
});
