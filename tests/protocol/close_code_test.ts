import assert from "node:assert/strict";
import { CLOSE_CODE, isValidCloseCode } from "../../src/protocol/mod.ts";

Deno.test("isValidCloseCode follows RFC 6455 §7.4", async (t) => {
  await t.step("the codes that may be sent", () => {
    for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014]) {
      assert.equal(isValidCloseCode(code), true, `${code}`);
    }
    for (const code of [3000, 3500, 4000, 4999]) assert.equal(isValidCloseCode(code), true);
  });
  await t.step("the codes that must never be on the wire", () => {
    for (
      const code of [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535, -1000]
    ) {
      assert.equal(isValidCloseCode(code), false, `${code}`);
    }
  });
  await t.step("non-integers", () => {
    for (const code of [1000.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(isValidCloseCode(code), false);
    }
  });
  await t.step("every code from 0 to 65535", () => {
    for (let code = 0; code <= 0xffff; code++) {
      const expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
        (code >= 3000 && code <= 4999);
      assert.equal(isValidCloseCode(code), expected, `${code}`);
    }
  });
});

Deno.test("CLOSE_CODE names the registered codes", () => {
  assert.equal(CLOSE_CODE.NORMAL, 1000);
  assert.equal(CLOSE_CODE.PROTOCOL_ERROR, 1002);
  assert.equal(CLOSE_CODE.NO_STATUS, 1005);
  assert.equal(CLOSE_CODE.ABNORMAL, 1006);
  assert.equal(CLOSE_CODE.INVALID_PAYLOAD, 1007);
  assert.equal(CLOSE_CODE.MESSAGE_TOO_BIG, 1009);
  assert.equal(CLOSE_CODE.TLS_HANDSHAKE, 1015);
  const local = [CLOSE_CODE.NO_STATUS, CLOSE_CODE.ABNORMAL, CLOSE_CODE.TLS_HANDSHAKE];
  for (const code of Object.values(CLOSE_CODE)) {
    assert.equal(isValidCloseCode(code), !(local as number[]).includes(code), `${code}`);
  }
});
