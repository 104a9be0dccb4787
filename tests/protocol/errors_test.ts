import assert from "node:assert/strict";
import { HandshakeError, PROTOCOL_ERROR_CODE, ProtocolError } from "../../src/protocol/mod.ts";

Deno.test("ProtocolError carries its code, close code and cause", () => {
  const cause = new Error("inner");
  const error = new ProtocolError("INVALID_UTF8", "Cannot decode text: invalid UTF-8", {
    closeCode: 1007,
    cause,
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ProtocolError");
  assert.equal(error.code, "INVALID_UTF8");
  assert.equal(error.closeCode, 1007);
  assert.equal(error.cause, cause);
  assert.equal(error.message, "Cannot decode text: invalid UTF-8");
});

Deno.test("ProtocolError defaults to close code 1002 and no cause", () => {
  const error = new ProtocolError("RESERVED_OPCODE", "Cannot decode frame: reserved opcode 3");
  assert.equal(error.closeCode, 1002);
  assert.equal("cause" in error, false);
});

Deno.test("PROTOCOL_ERROR_CODE values equal their keys", () => {
  for (const [key, value] of Object.entries(PROTOCOL_ERROR_CODE)) assert.equal(value, key);
});

Deno.test("HandshakeError renders to a plain-text response with its headers", async () => {
  const error = new HandshakeError(426, "Cannot upgrade: Sec-WebSocket-Version must be 13", {
    headers: { "sec-websocket-version": "13" },
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "HandshakeError");
  assert.equal(error.status, 426);
  const response = error.toResponse();
  assert.equal(response.status, 426);
  assert.equal(response.headers.get("sec-websocket-version"), "13");
  assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await response.text(), "Cannot upgrade: Sec-WebSocket-Version must be 13\n");
  // Rendering twice works and leaves the error's own headers alone.
  assert.equal(error.toResponse().status, 426);
  assert.equal(error.headers.get("content-type"), null);
});

Deno.test("HandshakeError keeps its cause and defaults to no extra headers", () => {
  const cause = new TypeError("bad");
  const error = new HandshakeError(400, "Cannot upgrade: bad request", { cause });
  assert.equal(error.cause, cause);
  assert.deepEqual([...error.headers], []);
});
