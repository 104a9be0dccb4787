import assert from "node:assert/strict";
import {
  computeAcceptKey,
  createUpgradeResponseHeaders,
  formatResponseHead,
  generateKey,
  HandshakeError,
  isValidKey,
  type UpgradeRequestLike,
  validateUpgradeRequest,
  validateUpgradeResponse,
  WEBSOCKET_GUID,
} from "../../src/protocol/mod.ts";
import {
  _formatUpgradeResponse,
  type UpgradeResponseOptions,
} from "../../src/protocol/handshake.ts";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

function request(
  headers: Record<string, string | undefined> = {},
  init: Partial<Omit<UpgradeRequestLike, "headers">> = {},
): UpgradeRequestLike {
  const merged: Record<string, string | undefined> = {
    host: "example.com",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": KEY,
    "sec-websocket-version": "13",
    ...headers,
  };
  const defined = Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined);
  return { method: "GET", httpVersion: "HTTP/1.1", ...init, headers: new Headers(defined) };
}

function assertRefused(
  fn: () => unknown,
  status: number,
  headers: Record<string, string> = {},
): HandshakeError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof HandshakeError, `expected a HandshakeError, got ${caught}`);
  assert.equal(caught.status, status);
  for (const [name, value] of Object.entries(headers)) {
    assert.equal(caught.headers.get(name), value);
  }
  return caught;
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

Deno.test("computeAcceptKey computes the RFC 6455 §1.3 example", () => {
  assert.equal(computeAcceptKey(KEY), ACCEPT);
  assert.equal(WEBSOCKET_GUID, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
});

Deno.test("computeAcceptKey agrees with Web Crypto SHA-1", async () => {
  for (let i = 0; i < 50; i++) {
    const key = generateKey();
    const digest = await crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(key + WEBSOCKET_GUID),
    );
    assert.equal(computeAcceptKey(key), base64(new Uint8Array(digest)));
  }
});

Deno.test("isValidKey accepts exactly 16 bytes of canonical base64", async (t) => {
  await t.step("16-byte keys", () => {
    assert.equal(isValidKey(KEY), true);
    for (let i = 0; i < 200; i++) {
      assert.equal(isValidKey(base64(crypto.getRandomValues(new Uint8Array(16)))), true);
    }
    assert.equal(isValidKey(base64(new Uint8Array(16).fill(0xff))), true);
  });
  await t.step("other lengths", () => {
    for (const length of [0, 1, 11, 15, 17, 18, 32]) {
      assert.equal(isValidKey(base64(new Uint8Array(length).fill(7))), false, `${length}`);
    }
  });
  await t.step("bad characters and padding", () => {
    for (
      const key of [
        "",
        "dGhlIHNhbXBsZSBub25jZQ",
        "dGhlIHNhbXBsZSBub25jZQ=",
        "dGhlIHNhbXBsZSBub25jZQ===",
        "dGhlIHNhbXBsZSBub25jZ-==",
        "dGhlIHNhbXBsZSBub25j_Q==",
        "dGhlIHNhbXBsZSBub25j Q==",
        " dGhlIHNhbXBsZSBub25jZQ==",
        "dGhlIHNhbXBsZSBub25jZQ==\n",
        "dGhlIHNhbXBsZSBub25jZQ==AA",
      ]
    ) {
      assert.equal(isValidKey(key), false, JSON.stringify(key));
    }
  });
  await t.step("a non-canonical last character", () => {
    // The last character carries two bits; the four low bits must be zero.
    for (const last of "BCDEFGHIJKLMNOPRSTUVWXYZabcdefhijklmnopqrstuvxyz0123456789+/") {
      assert.equal(isValidKey(`dGhlIHNhbXBsZSBub25jZ${last}==`), false, last);
    }
    for (const last of "AQgw") assert.equal(isValidKey(`dGhlIHNhbXBsZSBub25jZ${last}==`), true);
  });
});

Deno.test("generateKey returns fresh valid keys", () => {
  const keys = new Set(Array.from({ length: 100 }, () => generateKey()));
  assert.equal(keys.size, 100);
  for (const key of keys) assert.equal(isValidKey(key), true);
});

Deno.test("validateUpgradeRequest accepts a valid opening handshake", async (t) => {
  await t.step("the minimal request", () => {
    assert.deepEqual(validateUpgradeRequest(request()), {
      key: KEY,
      protocols: [],
      extensions: [],
    });
  });
  await t.step("a Fetch Request without an HTTP version", () => {
    const upgrade = validateUpgradeRequest(
      new Request("http://localhost/", { headers: request().headers }),
    );
    assert.equal(upgrade.key, KEY);
  });
  await t.step("case-insensitive tokens and token lists", () => {
    for (
      const [upgrade, connection] of [
        ["WebSocket", "upgrade"],
        ["WEBSOCKET", "UPGRADE"],
        ["websocket", "keep-alive, Upgrade"],
        ["websocket", "Upgrade,keep-alive"],
        ["h2c, websocket", "keep-alive ,  upgrade"],
      ]
    ) {
      assert.equal(validateUpgradeRequest(request({ upgrade, connection })).key, KEY);
    }
  });
  await t.step("subprotocols and extensions in the client's order", () => {
    const upgrade = validateUpgradeRequest(request({
      "sec-websocket-protocol": "aero.v1.json, chat",
      "sec-websocket-extensions": "permessage-deflate; client_max_window_bits, foo",
    }));
    assert.deepEqual(upgrade.protocols, ["aero.v1.json", "chat"]);
    assert.deepEqual(upgrade.extensions, [
      { name: "permessage-deflate", params: [["client_max_window_bits", true]] },
      { name: "foo", params: [] },
    ]);
  });
  await t.step("Content-Length: 0, as the JDK's client sends with every GET", () => {
    for (const length of ["0", " 0 ", "00"]) {
      assert.equal(validateUpgradeRequest(request({ "content-length": length })).key, KEY);
    }
  });
  await t.step("later HTTP versions", () => {
    for (const httpVersion of ["HTTP/1.1", "HTTP/2", "HTTP/2.0"]) {
      assert.equal(validateUpgradeRequest(request({}, { httpVersion })).key, KEY);
    }
  });
});

Deno.test("validateUpgradeRequest refuses a bad handshake with the right status", async (t) => {
  await t.step("405 with Allow: GET for another method", () => {
    for (const method of ["POST", "PUT", "HEAD", "get"]) {
      assertRefused(() => validateUpgradeRequest(request({}, { method })), 405, { allow: "GET" });
    }
  });
  await t.step("400 for HTTP/1.0 and older", () => {
    for (const httpVersion of ["HTTP/1.0", "HTTP/0.9", "HTTP/1", "http/1.1"]) {
      assertRefused(() => validateUpgradeRequest(request({}, { httpVersion })), 400);
    }
  });
  await t.step("400 for a missing or wrong Upgrade", () => {
    for (const upgrade of [undefined, "", "h2c", "websockets", "web socket"]) {
      assertRefused(() => validateUpgradeRequest(request({ upgrade })), 400);
    }
  });
  await t.step("400 for a Connection without the upgrade token", () => {
    for (const connection of [undefined, "", "keep-alive", "upgraded", "keep-alive upgrade"]) {
      assertRefused(() => validateUpgradeRequest(request({ connection })), 400);
    }
  });
  await t.step("426 with Sec-WebSocket-Version: 13 for a missing or wrong version", () => {
    for (const version of [undefined, "", "8", "12", "14", "13, 8", "013"]) {
      const error = assertRefused(
        () => validateUpgradeRequest(request({ "sec-websocket-version": version })),
        426,
        { "sec-websocket-version": "13" },
      );
      assert.equal(error.toResponse().headers.get("sec-websocket-version"), "13");
    }
  });
  await t.step("400 for a missing or bad key", () => {
    for (
      const key of [undefined, "", "dGhlIHNhbXBsZQ==", "dGhlIHNhbXBsZSBub25jZR==", "not a key"]
    ) {
      assertRefused(() => validateUpgradeRequest(request({ "sec-websocket-key": key })), 400);
    }
  });
  await t.step("400 for a request with a body, which would be read as frames", () => {
    for (const length of ["5", "1", "0, 5", "-0", "abc", ""]) {
      const error = assertRefused(
        () => validateUpgradeRequest(request({ "content-length": length })),
        400,
      );
      assert.match(error.message, /has a body \(Content-Length\)/);
    }
    for (const encoding of ["chunked", "identity", "gzip, chunked"]) {
      const error = assertRefused(
        () => validateUpgradeRequest(request({ "transfer-encoding": encoding })),
        400,
      );
      assert.match(error.message, /has a body \(Transfer-Encoding\)/);
    }
  });
  await t.step("400 for malformed subprotocol or extension headers", () => {
    assertRefused(
      () => validateUpgradeRequest(request({ "sec-websocket-protocol": "a, , b" })),
      400,
    );
    assertRefused(
      () => validateUpgradeRequest(request({ "sec-websocket-extensions": "foo; =1" })),
      400,
    );
  });
  await t.step("a refusal renders to a response", async () => {
    const error = assertRefused(() => validateUpgradeRequest(request({}, { method: "POST" })), 405);
    const response = error.toResponse();
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET");
    assert.match(await response.text(), /^Cannot upgrade: /);
  });
});

Deno.test("createUpgradeResponseHeaders builds the 101 response headers", () => {
  const headers = createUpgradeResponseHeaders(KEY, {
    protocol: "chat",
    extensions: [{ name: "permessage-deflate", params: [["server_no_context_takeover", true]] }],
    headers: { "set-cookie": "a=b" },
  });
  assert.equal(headers.get("upgrade"), "websocket");
  assert.equal(headers.get("connection"), "Upgrade");
  assert.equal(headers.get("sec-websocket-accept"), ACCEPT);
  assert.equal(headers.get("sec-websocket-protocol"), "chat");
  assert.equal(
    headers.get("sec-websocket-extensions"),
    "permessage-deflate; server_no_context_takeover",
  );
  assert.equal(headers.get("set-cookie"), "a=b");
  const bare = createUpgradeResponseHeaders(KEY, { extensions: [] });
  assert.equal(bare.get("sec-websocket-protocol"), null);
  assert.equal(bare.get("sec-websocket-extensions"), null);
});

Deno.test("the 101 response head is written as formatResponseHead writes its Headers", async (t) => {
  const deflate = {
    name: "permessage-deflate",
    params: [["server_no_context_takeover", true], ["client_max_window_bits", "10"]] as [
      string,
      string | true,
    ][],
  };
  const quoted = { name: "x-ext", params: [["note", "a b;c"]] as [string, string | true][] };
  const cases: [string, UpgradeResponseOptions][] = [
    ["nothing chosen", {}],
    ["a subprotocol", { protocol: "chat.v2" }],
    ["extensions", { extensions: [deflate, quoted] }],
    ["no extensions", { extensions: [] }],
    ["both", { protocol: "mqtt", extensions: [deflate] }],
    ["extra headers", { protocol: "chat", headers: { "set-cookie": "a=b", "x-z": "1" } }],
    // Values that `Headers` would trim or refuse go through it.
    ["an empty subprotocol", { protocol: "" }],
    ["a subprotocol with outer spaces", { protocol: " chat " }],
    ["a subprotocol with a line break", { protocol: "a\r\nx-injected: 1" }],
  ];
  const text = (make: () => Uint8Array) => {
    try {
      return new TextDecoder().decode(make());
    } catch (error) {
      return `throws ${(error as Error).name}`;
    }
  };
  for (const [name, options] of cases) {
    await t.step(name, () => {
      for (let i = 0; i < 20; i++) {
        const key = i === 0 ? KEY : generateKey();
        const expected = text(() =>
          formatResponseHead(101, "Switching Protocols", createUpgradeResponseHeaders(key, options))
        );
        assert.equal(text(() => _formatUpgradeResponse(key, options)), expected);
        if (i === 0 && !expected.startsWith("throws")) {
          assert.match(expected, /s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
        }
      }
    });
  }
});

Deno.test("validateUpgradeResponse accepts the server's valid answer", () => {
  const headers = createUpgradeResponseHeaders(KEY, {
    protocol: "chat",
    extensions: [{ name: "permessage-deflate", params: [["client_max_window_bits", "10"]] }],
  });
  const result = validateUpgradeResponse({ status: 101, headers }, {
    key: KEY,
    protocols: ["superchat", "chat"],
    extensionNames: ["Permessage-Deflate"],
  });
  assert.deepEqual(result, {
    protocol: "chat",
    extensions: [{ name: "permessage-deflate", params: [["client_max_window_bits", "10"]] }],
  });
  const plain = validateUpgradeResponse(
    { status: 101, headers: createUpgradeResponseHeaders(KEY) },
    { key: KEY, protocols: ["chat"] },
  );
  assert.deepEqual(plain, { protocol: "", extensions: [] });
});

Deno.test("validateUpgradeResponse refuses a wrong answer", async (t) => {
  const offer = { key: KEY, protocols: ["chat"], extensionNames: ["permessage-deflate"] };
  const valid = () => createUpgradeResponseHeaders(KEY);
  await t.step("a status other than 101 keeps that status", () => {
    for (const status of [200, 400, 403, 426, 500]) {
      assertRefused(() => validateUpgradeResponse({ status, headers: valid() }, offer), status);
    }
  });
  await t.step("missing Upgrade or Connection", () => {
    for (const name of ["upgrade", "connection"]) {
      const headers = valid();
      headers.delete(name);
      assertRefused(() => validateUpgradeResponse({ status: 101, headers }, offer), 101);
    }
  });
  await t.step("a wrong or missing accept key", () => {
    const wrong = createUpgradeResponseHeaders(generateKey());
    assertRefused(() => validateUpgradeResponse({ status: 101, headers: wrong }, offer), 101);
    const missing = valid();
    missing.delete("sec-websocket-accept");
    assertRefused(() => validateUpgradeResponse({ status: 101, headers: missing }, offer), 101);
  });
  await t.step("a subprotocol that was not offered", () => {
    const headers = createUpgradeResponseHeaders(KEY, { protocol: "superchat" });
    assertRefused(() => validateUpgradeResponse({ status: 101, headers }, offer), 101);
    assertRefused(() => validateUpgradeResponse({ status: 101, headers }, { key: KEY }), 101);
  });
  await t.step("an extension that was not offered", () => {
    const headers = createUpgradeResponseHeaders(KEY, {
      extensions: [{ name: "x-webkit-deflate-frame", params: [] }],
    });
    assertRefused(() => validateUpgradeResponse({ status: 101, headers }, offer), 101);
    const deflate = createUpgradeResponseHeaders(KEY, {
      extensions: [{ name: "permessage-deflate", params: [] }],
    });
    assertRefused(
      () => validateUpgradeResponse({ status: 101, headers: deflate }, { key: KEY }),
      101,
    );
  });
  await t.step("a malformed extension header", () => {
    const headers = valid();
    headers.set("sec-websocket-extensions", "permessage-deflate;");
    const error = assertRefused(
      () => validateUpgradeResponse({ status: 101, headers }, offer),
      101,
    );
    assert.ok(error.cause instanceof HandshakeError);
  });
});
