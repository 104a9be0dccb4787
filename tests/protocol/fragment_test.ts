import assert from "node:assert/strict";
import fc from "fast-check";
import { fragmentMessage, OPCODE, RSV1 } from "../../src/protocol/mod.ts";

Deno.test("fragmentMessage splits a message into continuation frames", () => {
  const payload = Uint8Array.from({ length: 10 }, (_, i) => i);
  const frames = fragmentMessage(OPCODE.TEXT, payload, { fragmentSize: 4 });
  assert.deepEqual(
    frames.map((f) => [f.fin, f.rsv, f.opcode, [...f.payload]]),
    [
      [false, 0, OPCODE.TEXT, [0, 1, 2, 3]],
      [false, 0, OPCODE.CONTINUATION, [4, 5, 6, 7]],
      [true, 0, OPCODE.CONTINUATION, [8, 9]],
    ],
  );
});

Deno.test("fragmentMessage returns views over the payload", () => {
  const payload = new Uint8Array(9);
  for (const f of fragmentMessage(OPCODE.BINARY, payload, { fragmentSize: 4 })) {
    assert.equal(f.payload.buffer, payload.buffer);
  }
});

Deno.test("fragmentMessage keeps a short message in one frame", () => {
  const payload = new Uint8Array(4);
  assert.deepEqual(fragmentMessage(OPCODE.BINARY, payload, { fragmentSize: 4 }), [
    { fin: true, rsv: 0, opcode: OPCODE.BINARY, payload },
  ]);
  assert.deepEqual(fragmentMessage(OPCODE.TEXT, new Uint8Array(), { fragmentSize: 1 }), [
    { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload: new Uint8Array() },
  ]);
});

Deno.test("fragmentMessage puts the RSV bits on the first frame only", () => {
  const frames = fragmentMessage(OPCODE.BINARY, new Uint8Array(3), { fragmentSize: 1, rsv: RSV1 });
  assert.deepEqual(frames.map((f) => f.rsv), [RSV1, 0, 0]);
});

Deno.test("fragmentMessage covers the payload exactly, in order", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 500 }),
      fc.integer({ min: 1, max: 600 }),
      (payload, fragmentSize) => {
        const frames = fragmentMessage(OPCODE.BINARY, payload, { fragmentSize });
        assert.equal(frames.length, Math.max(1, Math.ceil(payload.length / fragmentSize)));
        assert.deepEqual(frames.map((f) => f.fin), frames.map((_, i) => i === frames.length - 1));
        assert.ok(frames.every((f, i) => f.opcode === (i === 0 ? OPCODE.BINARY : 0)));
        assert.ok(frames.every((f) => f.payload.length <= fragmentSize));
        const joined = new Uint8Array(payload.length);
        let offset = 0;
        for (const f of frames) {
          joined.set(f.payload, offset);
          offset += f.payload.length;
        }
        assert.equal(offset, payload.length);
        assert.deepEqual(joined, payload);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("fragmentMessage rejects a bad fragment size or opcode", () => {
  for (const fragmentSize of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => fragmentMessage(OPCODE.BINARY, new Uint8Array(1), { fragmentSize }),
      RangeError,
    );
  }
  for (const opcode of [OPCODE.CONTINUATION, OPCODE.PING, OPCODE.CLOSE]) {
    assert.throws(
      () => fragmentMessage(opcode as 0x1, new Uint8Array(1), { fragmentSize: 1 }),
      RangeError,
    );
  }
});
