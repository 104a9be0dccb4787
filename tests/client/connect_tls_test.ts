// connect() over TLS (wss:// with a self-signed certificate) and over IPv6.
import assert from "node:assert/strict";
import { connect } from "../../src/client/mod.ts";
import { startEchoServer } from "./_servers.ts";

// tests/fixtures/{cert,key}.pem: a self-signed end-entity certificate (rustls refuses a CA
// certificate used as a server certificate), made with
//   openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
//     -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
//     -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth \
//     -keyout key.pem -out cert.pem
const fixtures = new URL("../fixtures/", import.meta.url);
const cert = Deno.readTextFileSync(new URL("cert.pem", fixtures));
const key = Deno.readTextFileSync(new URL("key.pem", fixtures));

Deno.test("connect opens wss:// with caCerts trusting a self-signed certificate", async () => {
  await using server = startEchoServer({ cert, key });
  const conn = await connect(`wss://127.0.0.1:${server.port}/?protocol=chat`, {
    caCerts: [cert],
    protocols: ["chat"],
  });
  assert.equal(conn.info.protocol, "chat");
  const big = new Uint8Array(1024 * 1024).fill(7);
  conn.send("over tls");
  conn.send(big);
  const messages = [];
  for await (const message of conn) {
    messages.push(message);
    if (messages.length === 2) break;
  }
  assert.deepEqual(messages[0], { type: "text", data: "over tls" });
  assert.deepEqual(messages[1], { type: "binary", data: big });
  conn.close(4000, "done");
  assert.equal((await conn.closed).code, 4000);
});

Deno.test("connect accepts https: URLs as wss:", async () => {
  await using server = startEchoServer({ cert, key });
  const conn = await connect(`https://127.0.0.1:${server.port}/`, { caCerts: [cert] });
  assert.equal(conn.info.url, `wss://127.0.0.1:${server.port}/`);
  conn.close();
  await conn.closed;
});

Deno.test("connect refuses a certificate it does not trust", async () => {
  await using server = startEchoServer({ cert, key });
  await assert.rejects(
    connect(`wss://127.0.0.1:${server.port}/`, { handshakeTimeout: 5_000 }),
    Deno.errors.InvalidData,
  );
});

function _hasIpv6Loopback(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

const ipv6 = _hasIpv6Loopback();
if (!ipv6) console.log("IPv6 loopback ::1 is not available: skipping the IPv6 client test");

Deno.test({
  name: "connect reaches ws://[::1]:port/ with the bracketed Host header",
  ignore: !ipv6,
  async fn() {
    await using server = startEchoServer({ hostname: "::1" });
    const conn = await connect(`ws://[::1]:${server.port}/v6`);
    assert.equal(server.lastHeaders?.get("host"), `[::1]:${server.port}`);
    assert.equal(conn.info.remoteAddress?.hostname, "::1");
    conn.send("over ipv6");
    const { value } = await conn[Symbol.asyncIterator]().next();
    assert.deepEqual(value, { type: "text", data: "over ipv6" });
    conn.close();
    assert.equal((await conn.closed).wasClean, true);
  },
});
