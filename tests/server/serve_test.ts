import assert from "node:assert/strict";
import { serve, type WebSocketConnection } from "../../mod.ts";
import { until } from "../_until.ts";
import {
  clientClose,
  closeEvent,
  ENGINES,
  nextMessage,
  openWebSocket,
  rawConnect,
  readToEnd,
  statusOf,
  upgradeHead,
  write,
} from "./_helpers.ts";

const local = { hostname: "127.0.0.1", port: 0 } as const;

async function echo(conn: WebSocketConnection): Promise<void> {
  for await (const message of conn) conn.send(message.data);
}

for (const engine of ENGINES) {
  Deno.test(`serve (${engine}) echoes text and binary messages unchanged`, async () => {
    await using server = serve({ ...local, engine }, echo);
    assert.equal(server.engine, engine);
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    const ws = await openWebSocket(server.url);
    ws.send("héllo");
    assert.equal(await nextMessage(ws), "héllo");
    ws.send(new Uint8Array([0, 1, 2, 255]));
    assert.deepEqual(
      new Uint8Array(await nextMessage(ws) as ArrayBuffer),
      new Uint8Array([0, 1, 2, 255]),
    );
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    ws.send(big);
    assert.deepEqual(new Uint8Array(await nextMessage(ws) as ArrayBuffer), big);
    assert.equal(server.connections, 1);
    ws.close(1000, "done");
    const event = await closeEvent(ws);
    assert.equal(event.code, 1000);
  });

  Deno.test(`serve (${engine}) selects a subprotocol and passes onUpgrade data to the handler`, async () => {
    const seen: unknown[] = [];
    await using server = serve<{ user: string }>({
      ...local,
      engine,
      protocols: (offered) => offered.find((p) => p.startsWith("aero.")),
      onUpgrade: (request, info) => {
        const user = new URL(request.url).searchParams.get("user");
        if (user === null) return new Response("no user", { status: 401 });
        seen.push(info.offeredProtocols, info.protocol, info.remoteAddress?.hostname);
        return { data: { user } };
      },
    }, (conn) => {
      conn.sendJson({ user: conn.data.user, protocol: conn.info.protocol, url: conn.info.url });
    });
    const ws = await openWebSocket(`${server.url}chat?user=ada`, ["x", "aero.v1.json"]);
    assert.equal(ws.protocol, "aero.v1.json");
    const reply = JSON.parse(await nextMessage(ws) as string);
    assert.equal(reply.user, "ada");
    assert.equal(reply.protocol, "aero.v1.json");
    assert.match(reply.url, /\/chat\?user=ada$/);
    assert.deepEqual(seen, [["x", "aero.v1.json"], "aero.v1.json", "127.0.0.1"]);
    ws.close();
    await closeEvent(ws);

    const response = await fetch(server.url.replace("ws:", "http:") + "chat", {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    assert.equal(response.status, 401);
    assert.equal(await response.text(), "no user");
  });

  Deno.test(`serve (${engine}) hands plain HTTP to the fetch handler and answers 426 without one`, async () => {
    await using withFetch = serve({
      ...local,
      engine,
      fetch: async (request) =>
        new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`),
    }, echo);
    const base = withFetch.url.replace("ws:", "http:");
    const client = Deno.createHttpClient({});
    try {
      const first = await fetch(`${base}healthz`, { client });
      assert.equal(await first.text(), "GET /healthz ");
      // A second request on the same keep-alive connection stays with Deno.serve.
      const second = await fetch(`${base}echo`, { method: "POST", body: "payload", client });
      assert.equal(await second.text(), "POST /echo payload");
    } finally {
      client.close();
    }

    await using bare = serve({ ...local, engine }, echo);
    const response = await fetch(bare.url.replace("ws:", "http:"));
    assert.equal(response.status, 426);
    assert.equal(response.headers.get("upgrade"), "websocket");
    await response.body?.cancel();
  });

  Deno.test(`serve (${engine}) closes the connection with 1011 when the handler throws`, async () => {
    await using server = serve({ ...local, engine }, () => {
      throw new Error("boom");
    });
    const ws = await openWebSocket(server.url);
    const event = await closeEvent(ws);
    assert.equal(event.code, 1011);
  });

  Deno.test(`serve (${engine}) shuts down when its signal is aborted`, async () => {
    const controller = new AbortController();
    const server = serve({ ...local, engine, signal: controller.signal }, echo);
    const ws = await openWebSocket(server.url);
    const closed = closeEvent(ws);
    controller.abort();
    await server.finished;
    assert.equal((await closed).code, 1001);
    assert.equal(server.connections, 0);
  });
}

Deno.test("the streams engine makes one Request per upgrade, only for a policy that reads it", async (t) => {
  const Original = globalThis.Request;
  let made = 0;
  globalThis.Request = class extends Original {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(input, init);
      if (this.url.includes("/made-probe")) made++;
    }
  };
  try {
    const roundTrip = async (url: string, protocols?: string[]) => {
      const ws = await openWebSocket(url, protocols);
      ws.send("x");
      assert.equal(await nextMessage(ws), "x");
      ws.close();
      await closeEvent(ws);
    };
    await t.step("none without security, a selector function or onUpgrade", async () => {
      made = 0;
      let url = "";
      await using server = serve({ ...local, engine: "streams", protocols: ["a"] }, (conn) => {
        url = conn.info.url ?? "";
        return echo(conn);
      });
      await roundTrip(`${server.url}made-probe?q=1`, ["a"]);
      assert.equal(made, 0);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/made-probe\?q=1$/);
    });
    await t.step("one shared by a selector function and onUpgrade", async () => {
      made = 0;
      const seen: Request[] = [];
      await using server = serve({
        ...local,
        engine: "streams",
        protocols: (offered, request) => {
          seen.push(request);
          return offered[0];
        },
        onUpgrade: (request) => {
          seen.push(request);
          assert.equal(request.headers.get("sec-websocket-protocol"), "b");
          assert.equal(request.method, "GET");
          return undefined;
        },
      }, echo);
      await roundTrip(`${server.url}made-probe`, ["b"]);
      assert.equal(made, 1);
      assert.equal(seen.length, 2);
      assert.equal(seen[0], seen[1]);
      assert.match(seen[0]!.url, /\/made-probe$/);
    });
  } finally {
    globalThis.Request = Original;
  }
});

Deno.test("serve validates its options before listening", () => {
  const handler = () => {};
  assert.throws(() => serve({ port: 70_000 }, handler), RangeError);
  assert.throws(() => serve({ port: 0, engine: "bun" as "native" }, handler), TypeError);
  assert.throws(() => serve({ port: 0, maxConnections: -1 }, handler), RangeError);
  for (const maxPendingHandshakes of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => serve({ port: 0, maxPendingHandshakes }, handler),
      (error) => error instanceof RangeError && /invalid maxPendingHandshakes/.test(error.message),
    );
  }
  assert.throws(() => serve({ port: 0, handshakeTimeout: 0 }, handler), RangeError);
  assert.throws(() => serve({ port: 0, closeTimeout: 1.5 }, handler), RangeError);
  assert.throws(() => serve({ port: 0, limits: { maxHandshakeHeadSize: 0 } }, handler), RangeError);
  assert.throws(() => serve({ port: 0, tls: { cert: "x" } as never }, handler), TypeError);
  assert.throws(() => serve({ port: 0 }, "nope" as never), TypeError);
});

Deno.test("serve accepts maxPendingHandshakes as a positive integer or Infinity", async () => {
  for (const maxPendingHandshakes of [1, 4_096, Infinity]) {
    await using server = serve({ hostname: "127.0.0.1", port: 0, maxPendingHandshakes }, () => {});
    assert.ok(server.addr.port > 0);
  }
});

Deno.test("info.headers holds the handshake's request headers on both engines", async (t) => {
  for (const engine of ENGINES) {
    await t.step(engine, async () => {
      const seen: Headers[] = [];
      const server = serve({ port: 0, hostname: "127.0.0.1", engine }, async (conn) => {
        const first = conn.info.headers;
        // The same object each time it is read.
        assert.equal(conn.info.headers, first);
        seen.push(first);
        for await (const message of conn) conn.send(message.data);
      });
      const raw = await rawConnect(server.addr.port);
      await write(
        raw,
        upgradeHead("/h?x=1", [
          "X-Repeated: one",
          "X-Repeated: two",
          "X-Long-Value: " + "v".repeat(300),
          "Cookie: a=b",
        ]),
      );
      await write(raw, clientClose(1000));
      const reply = await readToEnd(raw);
      assert.equal(statusOf(reply), 101);
      await until(() => seen.length === 1, "handler saw the connection");
      const headers = seen[0]!;
      assert.equal(headers.get("x-repeated"), "one, two");
      assert.equal(headers.get("X-Long-Value"), "v".repeat(300));
      assert.equal(headers.get("cookie"), "a=b");
      assert.equal(headers.get("upgrade"), "websocket");
      assert.equal(headers.get("sec-websocket-version"), "13");
      await server.shutdown({ timeout: 500 });
    });
  }
});
