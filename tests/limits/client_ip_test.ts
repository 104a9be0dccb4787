import assert from "node:assert/strict";
import { clientIp } from "../../src/security/mod.ts";

const proxy = { transport: "tcp", hostname: "10.0.0.1", port: 1234 } as const;
const stranger = { transport: "tcp", hostname: "198.51.100.1", port: 1234 } as const;

Deno.test("clientIp ignores X-Forwarded-For unless the peer is a trusted proxy", () => {
  const headers = new Headers({ "x-forwarded-for": "203.0.113.9" });
  assert.equal(clientIp(proxy, headers), "10.0.0.1");
  assert.equal(clientIp(stranger, headers, { addresses: ["10.0.0.1"] }), "198.51.100.1");
  assert.equal(clientIp(proxy, headers, { addresses: ["10.0.0.1"] }), "203.0.113.9");
});

Deno.test("clientIp skips trusted hops from the right and ignores spoofed entries on the left", () => {
  const headers = new Headers({ "x-forwarded-for": "1.2.3.4, 203.0.113.9, 10.0.0.7" });
  assert.equal(clientIp(proxy, headers, { addresses: ["10.0.0.0/8"] }), "203.0.113.9");
});

Deno.test("clientIp reads the Forwarded header when configured", () => {
  const headers = new Headers({
    forwarded: 'for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"',
    "x-forwarded-for": "6.6.6.6",
  });
  const trust = { addresses: ["10.0.0.1"], header: "forwarded" } as const;
  assert.equal(clientIp(proxy, headers, trust), "2001:db8::17");
  assert.equal(
    clientIp(proxy, new Headers({ forwarded: "for=192.0.2.60:80" }), trust),
    "192.0.2.60",
  );
});

Deno.test("clientIp falls back to the peer when the header is empty or all hops are trusted", () => {
  assert.equal(clientIp(proxy, new Headers(), { addresses: ["10.0.0.1"] }), "10.0.0.1");
  const headers = new Headers({ "x-forwarded-for": "10.0.0.2" });
  assert.equal(clientIp(proxy, headers, { addresses: ["10.0.0.0/8"] }), "10.0.0.1");
});

Deno.test("clientIp matches IPv6 proxies by range and in any text form", () => {
  const headers = new Headers({ "x-forwarded-for": "2001:db8::9, fd00::7" });
  const v6proxy = { transport: "tcp", hostname: "fd00::1", port: 1234 } as const;
  assert.equal(clientIp(v6proxy, headers, { addresses: ["fd00::/8"] }), "2001:db8::9");
  assert.equal(clientIp(v6proxy, headers, { addresses: ["fd00:0:0:0:0:0:0:1"] }), "fd00::7");
  assert.equal(clientIp(v6proxy, headers, { addresses: ["fc00::/8"] }), "fd00::1");
  assert.equal(clientIp(v6proxy, headers, { addresses: ["fd00::/129"] }), "fd00::1");
  assert.equal(clientIp(v6proxy, headers, { addresses: ["fd00:::1"] }), "fd00::1");
});

Deno.test("clientIp treats IPv4-mapped IPv6 peers as their IPv4 address", () => {
  const headers = new Headers({ "x-forwarded-for": "203.0.113.9" });
  const mapped = { transport: "tcp", hostname: "::ffff:10.0.0.1", port: 1234 } as const;
  assert.equal(clientIp(mapped, headers, { addresses: ["10.0.0.0/8"] }), "203.0.113.9");
  assert.equal(clientIp(mapped, headers, { addresses: ["10.0.0.1"] }), "203.0.113.9");
  assert.equal(clientIp(mapped, headers, { addresses: ["11.0.0.0/8"] }), "::ffff:10.0.0.1");
});
