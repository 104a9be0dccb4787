import assert from "node:assert/strict";
import { type AuditEvent, Security } from "../../src/security/mod.ts";
import { startServer } from "../auth/_server.ts";

async function rawUpgrade(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  await conn.write(new TextEncoder().encode(head));
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 101/);
  return conn;
}

Deno.test("Security records a protocol violation and counts it toward a ban", async () => {
  const security = new Security({ bans: { threshold: 1 } });
  const events: AuditEvent[] = [];
  security.audit.subscribe((event) => events.push(event));
  await using server = startServer("streams", security);
  const conn = await rawUpgrade(server.port);
  // RFC 6455 §5.1: a client frame must be masked. This one is not.
  await conn.write(new Uint8Array([0x81, 0x02, 0x68, 0x69]));
  await server.accepted[0]?.closed;
  // Drain until the server closes.
  const buffer = new Uint8Array(4096);
  const deadline = setTimeout(() => conn.close(), 5_000);
  try {
    while ((await conn.read(buffer)) !== null) { /* close frame */ }
  } catch { /* reset */ }
  clearTimeout(deadline);
  try {
    conn.close();
  } catch { /* already closed */ }
  for (let i = 0; i < 50 && !events.some((e) => e.type === "ban"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const violation = events.find((event) => event.type === "protocol_violation");
  assert.ok(violation, JSON.stringify(events));
  assert.equal(violation.closeCode, 1002);
  assert.equal(violation.ip, "127.0.0.1");
  assert.equal(typeof violation.connectionId, "string");
  assert.equal(security.counters.protocolViolations, 1);
  assert.deepEqual(security.bans.list().map((ban) => ban.ip), ["127.0.0.1"]);
});

Deno.test("Security reports permission denials for the router", () => {
  const security = new Security();
  const events: AuditEvent[] = [];
  security.audit.subscribe((event) => events.push(event));
  const stranger = { closed: new Promise(() => {}) } as never;
  security.denied(stranger, "publish", "chat.admin");
  assert.equal(security.counters.permissionDenials, 1);
  assert.equal(events[0]?.type, "permission_denied");
  assert.equal(events[0]?.reason, "publish chat.admin");
});
