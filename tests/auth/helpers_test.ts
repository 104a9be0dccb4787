import assert from "node:assert/strict";
import {
  constantTimeEqual,
  createPermissions,
  extractToken,
  isOriginAllowed,
  permissionsFromClaims,
  stripTokenProtocols,
} from "../../src/security/mod.ts";

Deno.test("constantTimeEqual compares strings and bytes exactly", () => {
  assert.equal(constantTimeEqual("", ""), true);
  assert.equal(constantTimeEqual("a", ""), false);
  assert.equal(constantTimeEqual("", "a"), false);
  assert.equal(constantTimeEqual("abc\0", "abc"), false);
  assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(constantTimeEqual("é", new Uint8Array([0xc3, 0xa9])), true);
});

Deno.test("permissions cover subscribe, publish, presence and rpc by pattern", () => {
  const perms = createPermissions([
    "subscribe:chat.>",
    "publish:chat.*.messages",
    "presence:chat.lobby",
    "rpc:users.*",
    "*:public.>",
    "malformed",
  ]);
  assert.equal(perms.can("subscribe", "chat.lobby"), true);
  assert.equal(perms.can("subscribe", "chat.>"), true);
  assert.equal(perms.can("subscribe", "chat"), false);
  assert.equal(perms.can("subscribe", ">"), false);
  assert.equal(perms.can("publish", "chat.lobby.messages"), true);
  assert.equal(perms.can("publish", "chat.*.messages"), true);
  assert.equal(perms.can("publish", "chat.lobby.messages.x"), false);
  assert.equal(perms.can("presence", "chat.lobby"), true);
  assert.equal(perms.can("presence", "chat.other"), false);
  assert.equal(perms.can("rpc", "users.get"), true);
  assert.equal(perms.can("rpc", "users.admin.delete"), false);
  assert.equal(perms.can("publish", "public.news"), true);
  assert.equal(createPermissions([]).can("subscribe", "chat.lobby"), false);
});

Deno.test("permissionsFromClaims reads an array claim and a scope string", () => {
  const perms = permissionsFromClaims({
    permissions: ["rpc:a.b", 7],
    scope: "publish:x  subscribe:y.>",
  });
  assert.deepEqual(perms.grants, ["rpc:a.b", "publish:x", "subscribe:y.>"]);
  const custom = permissionsFromClaims({ perms: ["rpc:a"] }, { claim: "perms" });
  assert.equal(custom.can("rpc", "a"), true);
});

Deno.test("extractToken reads each source in order", () => {
  const request = new Request("http://localhost/ws?t=from-query", {
    headers: {
      authorization: "Bearer from-header",
      cookie: "a=b; sid=from-cookie",
      "sec-websocket-protocol": "chat, x-token.from-protocol",
      "x-api-key": "from-custom",
    },
  });
  assert.deepEqual(extractToken(request, [{ type: "header" }]), {
    token: "from-header",
    source: "header",
  });
  assert.equal(extractToken(request, [{ type: "cookie", name: "sid" }])?.token, "from-cookie");
  assert.equal(extractToken(request, [{ type: "query", name: "t" }])?.token, "from-query");
  assert.equal(
    extractToken(request, [{ type: "protocol", prefix: "x-token." }])?.token,
    "from-protocol",
  );
  assert.equal(
    extractToken(request, [{ type: "header", name: "x-api-key", scheme: "" }])?.token,
    "from-custom",
  );
  assert.equal(extractToken(request, [{ type: "header", scheme: "Basic" }]), undefined);
  assert.equal(extractToken(new Request("http://localhost/"), [{ type: "header" }]), undefined);
  assert.deepEqual(
    stripTokenProtocols(["chat", "x-token.abc"], [{ type: "protocol", prefix: "x-token." }]),
    ["chat"],
  );
});

Deno.test("isOriginAllowed handles same-origin, null and regular expressions", () => {
  const request = (origin: string | undefined) =>
    new Request("http://ws.example:8080/", {
      headers: origin === undefined
        ? { host: "ws.example:8080" }
        : { host: "ws.example:8080", origin },
    });
  assert.equal(isOriginAllowed(request("http://ws.example:8080"), ["same-origin"]), true);
  assert.equal(isOriginAllowed(request("http://ws.example:9090"), ["same-origin"]), false);
  assert.equal(isOriginAllowed(request("null"), ["same-origin"]), false);
  assert.equal(isOriginAllowed(request("null"), ["null"]), true);
  assert.equal(isOriginAllowed(request("https://A.Example"), ["https://a.example"]), true);
  assert.equal(isOriginAllowed(request("https://x.test"), [/^https:\/\/[a-z]+\.test$/]), true);
  assert.equal(isOriginAllowed(request(undefined), ["same-origin"]), false);
  assert.equal(isOriginAllowed(request(undefined), ["same-origin"], true), true);
  // A wildcard stands for exactly one label.
  assert.equal(
    isOriginAllowed(request("https://evil.com/.example.com"), ["https://*.example.com"]),
    false,
  );
});
