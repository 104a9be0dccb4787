import assert from "node:assert/strict";
import { isControlOpcode, isKnownOpcode, OPCODE } from "../../src/protocol/mod.ts";

Deno.test("OPCODE holds the six opcodes of RFC 6455 §5.2", () => {
  assert.deepEqual(OPCODE, {
    CONTINUATION: 0x0,
    TEXT: 0x1,
    BINARY: 0x2,
    CLOSE: 0x8,
    PING: 0x9,
    PONG: 0xa,
  });
});

Deno.test("isKnownOpcode rejects the ten reserved opcodes", () => {
  for (let opcode = 0; opcode < 16; opcode++) {
    const known = (Object.values(OPCODE) as number[]).includes(opcode);
    assert.equal(isKnownOpcode(opcode), known, `0x${opcode.toString(16)}`);
  }
});

Deno.test("isControlOpcode is true exactly for opcodes 0x8–0xF", () => {
  for (let opcode = 0; opcode < 16; opcode++) {
    assert.equal(isControlOpcode(opcode), opcode >= 0x8, `0x${opcode.toString(16)}`);
  }
});
