// A prepared envelope's shared frame is exactly the frame the connection would have sent for the
// same payload: text of every kind and size, and bytes.
import assert from "node:assert/strict";
import { _prepare, _write } from "../../src/messaging/_prepared.ts";
import type { Codec } from "../../src/messaging/codec.ts";
import { Connection } from "../../src/connection/mod.ts";
import { encodeFrame, OPCODE } from "../../src/protocol/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";

// A codec that hands the value over as it is: the payload is the test's choice.
const raw: Codec = {
  protocol: "aero.v1.json",
  binary: false,
  encode: (value: unknown) => value as string | Uint8Array,
  decode: (data: string | Uint8Array) => data,
};

Deno.test("a prepared envelope's shared frame holds the payload's exact UTF-8 or bytes", async () => {
  const [a, b] = createTransportPair();
  const server = new Connection(a, { role: "server", keepalive: { pingInterval: 0 } });
  const client = new Connection(b, { role: "client", keepalive: { pingInterval: 0 } });
  const payloads: (string | Uint8Array)[] = [
    "",
    "ascii",
    "é€\u{1f600} mixed",
    "\ud800 lone surrogate",
    "x".repeat(70_000),
    "é".repeat(40_000) + "\u{1f600}".repeat(10_000),
    new Uint8Array([0, 1, 2, 255]),
  ];
  const messages = client[Symbol.asyncIterator]();
  for (const payload of payloads) {
    const prepared = _prepare(raw, payload);
    assert.equal(_write(server, prepared), "sent");
    const expected = encodeFrame({
      fin: true,
      rsv: 0,
      opcode: typeof payload === "string" ? OPCODE.TEXT : OPCODE.BINARY,
      payload: typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
    });
    const frame = prepared.frame!;
    assert.equal(frame.length, expected.length);
    assert.ok(frame.every((byte, i) => byte === expected[i]), "same bytes");
    const { value } = await messages.next();
    const sent = typeof payload === "string" ? payload.toWellFormed() : payload;
    assert.ok(
      typeof sent === "string"
        ? value.data === sent
        : value.data.every((x: number, i: number) => x === sent[i]),
    );
  }
  client.close();
  await Promise.all([server.closed, client.closed]);
});
