import assert from "node:assert/strict";
import fc from "fast-check";
import {
  applyMask,
  createFrameDecoder,
  encodedFrameSize,
  encodeFrame,
  encodeFrameInto,
  type Frame,
  OPCODE,
} from "../../src/protocol/mod.ts";
import { frame } from "./_pipeline.ts";
import { concat, hex } from "./_split.ts";
import { RFC_MASK, RFC_VECTORS } from "./_vectors.ts";

Deno.test("encodeFrame produces the RFC 6455 §5.7 example frames", async (t) => {
  for (const vector of RFC_VECTORS) {
    await t.step(vector.name, () => {
      const bytes = concat(
        ...vector.frames.map((f) => encodeFrame(f, vector.masked ? { mask: RFC_MASK } : {})),
      );
      assert.deepEqual(bytes, vector.bytes);
    });
  }
});

Deno.test("encodeFrame uses the shortest length encoding", () => {
  const cases: [number, string][] = [
    [0, "82 00"],
    [125, "82 7d"],
    [126, "82 7e 00 7e"],
    [65535, "82 7e ff ff"],
    [65536, "82 7f 00 00 00 00 00 01 00 00"],
    [0x0123_4567, "82 7f 00 00 00 00 01 23 45 67"],
  ];
  for (const [length, header] of cases) {
    const bytes = encodeFrame(frame(OPCODE.BINARY, new Uint8Array(length)));
    assert.deepEqual(bytes.subarray(0, hex(header).length), hex(header), `${length} bytes`);
    assert.equal(bytes.length, encodedFrameSize(length, false));
  }
});

Deno.test("encodeFrame writes FIN, RSV and opcode bits", () => {
  const bytes = encodeFrame({
    fin: false,
    rsv: 0b101,
    opcode: OPCODE.CONTINUATION,
    payload: hex(""),
  });
  assert.deepEqual(bytes, hex("50 00"));
  assert.deepEqual(
    encodeFrame({ fin: true, rsv: 0b100, opcode: OPCODE.TEXT, payload: hex("") }),
    hex("c1 00"),
  );
});

Deno.test("encodeFrame never modifies its input payload", () => {
  const payload = new TextEncoder().encode("Hello");
  const bytes = encodeFrame(frame(OPCODE.TEXT, payload), { mask: RFC_MASK });
  assert.deepEqual(payload, new TextEncoder().encode("Hello"));
  assert.deepEqual(bytes, hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
  encodeFrame(frame(OPCODE.TEXT, payload), { mask: true });
  assert.deepEqual(payload, new TextEncoder().encode("Hello"));
});

Deno.test("encodeFrame with mask true draws a fresh key for each frame", () => {
  const payload = new Uint8Array(16);
  const keys = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const bytes = encodeFrame(frame(OPCODE.BINARY, payload), { mask: true });
    assert.equal(bytes[1]! & 0x80, 0x80);
    const key = bytes.subarray(2, 6);
    keys.add(key.join(","));
    // The masked payload is the key repeated, since the payload is all zeros.
    const unmasked = bytes.slice(6);
    applyMask(unmasked, key);
    assert.deepEqual(unmasked, payload);
  }
  assert.ok(keys.size > 95);
});

Deno.test("encodedFrameSize matches the length encodeFrame produces", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 65530, max: 65540 }),
        fc.integer({ min: 0, max: 200_000 }),
      ),
      fc.boolean(),
      (length, masked) => {
        const bytes = encodeFrame(frame(OPCODE.BINARY, new Uint8Array(length)), {
          mask: masked,
        });
        assert.equal(bytes.length, encodedFrameSize(length, masked));
      },
    ),
    { numRuns: 200 },
  );
  assert.equal(encodedFrameSize(2 ** 32 + 1, true), 2 + 8 + 4 + 2 ** 32 + 1);
});

Deno.test("encodeFrameInto coalesces frames into one buffer", () => {
  const frames: Frame[] = [
    frame(OPCODE.TEXT, "Hel", false),
    frame(OPCODE.PING, ""),
    frame(OPCODE.CONTINUATION, "lo"),
  ];
  const size = frames.reduce((n, f) => n + encodedFrameSize(f.payload.length, true), 0);
  const out = new Uint8Array(size + 3);
  let offset = 3;
  for (const f of frames) offset = encodeFrameInto(f, out, offset, { mask: RFC_MASK });
  assert.equal(offset, out.length);
  const decoded: Frame[] = [];
  createFrameDecoder({ role: "server" }).push(out.subarray(3), (f) => decoded.push(f));
  assert.deepEqual(decoded, frames);
});

Deno.test("encodeFrameInto rejects frames it must not send", async (t) => {
  const target = new Uint8Array(1024);
  await t.step("a reserved opcode", () => {
    for (const opcode of [0x3, 0x7, 0xb, 0xf]) {
      assert.throws(
        () => encodeFrameInto(frame(opcode as Frame["opcode"], ""), target, 0),
        RangeError,
      );
    }
  });
  await t.step("a fragmented control frame", () => {
    assert.throws(() => encodeFrame(frame(OPCODE.PING, "", false)), RangeError);
  });
  await t.step("a control frame over 125 bytes", () => {
    assert.throws(() => encodeFrame(frame(OPCODE.CLOSE, new Uint8Array(126))), RangeError);
    assert.equal(encodeFrame(frame(OPCODE.CLOSE, new Uint8Array(125))).length, 127);
  });
  await t.step("invalid RSV bits", () => {
    for (const rsv of [-1, 8, 1.5]) {
      assert.throws(() => encodeFrame({ ...frame(OPCODE.TEXT, ""), rsv }), RangeError);
    }
  });
  await t.step("a target that is too small", () => {
    assert.throws(
      () => encodeFrameInto(frame(OPCODE.TEXT, "abc"), new Uint8Array(4), 0),
      RangeError,
    );
    assert.throws(
      () => encodeFrameInto(frame(OPCODE.TEXT, "abc"), new Uint8Array(5), 1),
      RangeError,
    );
  });
  await t.step("a mask key that is not 4 bytes", () => {
    assert.throws(
      () => encodeFrame(frame(OPCODE.TEXT, "a"), { mask: new Uint8Array(3) }),
      RangeError,
    );
  });
});

Deno.test("encodeFrame output decodes back to the same frame", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.integer({ min: 0, max: 7 }),
      fc.constantFrom(0x0, 0x1, 0x2),
      fc.uint8Array({ maxLength: 1000 }),
      fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: undefined }),
      (fin, rsv, opcode, payload, mask) => {
        const f: Frame = { fin, rsv, opcode: opcode as Frame["opcode"], payload };
        const bytes = encodeFrame(f, mask === undefined ? {} : { mask });
        const decoded: Frame[] = [];
        const decoder = createFrameDecoder({
          role: mask === undefined ? "client" : "server",
          allowedRsv: 7,
        });
        decoder.push(bytes, (d) => decoded.push(d));
        decoder.end();
        assert.deepEqual(decoded, [f]);
      },
    ),
    { numRuns: 300 },
  );
});
