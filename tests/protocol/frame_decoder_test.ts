import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createFrameDecoder,
  encodeFrame,
  type Frame,
  type FrameDecoderOptions,
  PROTOCOL_ERROR_CODE as E,
  RSV1,
  RSV2,
  RSV3,
} from "../../src/protocol/mod.ts";
import { assertFailsAtByte, assertProtocolError, decodeFrames } from "./_pipeline.ts";
import { chunkings, concat, hex, splitAt } from "./_split.ts";
import { RFC_MASK, RFC_VECTORS } from "./_vectors.ts";

const RESERVED_OPCODES = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf];

function roleFor(masked: boolean): FrameDecoderOptions["role"] {
  return masked ? "server" : "client";
}

/** Asserts that every chunking of `bytes` decodes to exactly `expected`. */
function assertDecodes(
  bytes: Uint8Array,
  options: FrameDecoderOptions,
  expected: readonly Frame[],
): void {
  for (const { name, chunks } of chunkings(bytes)) {
    const result = decodeFrames(chunks, options);
    assert.equal(result.error, undefined, `${name}: ${result.error}`);
    assert.deepEqual(result.out, expected, name);
  }
}

/** Asserts that every chunking of `bytes` fails with this error at the chunk holding `index`. */
function assertRejects(
  bytes: Uint8Array,
  options: FrameDecoderOptions,
  code: (typeof E)[keyof typeof E],
  closeCode: number,
  index: number,
): void {
  for (const { name, chunks } of chunkings(bytes)) {
    const result = decodeFrames(chunks, options);
    assertProtocolError(result.error, code, closeCode, name);
    assertFailsAtByte(result, index, name);
  }
}

Deno.test("FrameDecoder decodes the RFC 6455 §5.7 example frames", async (t) => {
  for (const vector of RFC_VECTORS) {
    await t.step(vector.name, () => {
      assertDecodes(vector.bytes, { role: roleFor(vector.masked) }, vector.frames);
      assertDecodes(
        vector.bytes,
        { role: roleFor(vector.masked), ownsInput: true },
        vector.frames,
      );
    });
  }
  await t.step("all unmasked examples back to back", () => {
    const unmasked = RFC_VECTORS.filter((v) => !v.masked);
    assertDecodes(
      concat(...unmasked.map((v) => v.bytes)),
      { role: "client" },
      unmasked.flatMap((v) => v.frames),
    );
  });
  await t.step("all masked examples back to back", () => {
    const masked = RFC_VECTORS.filter((v) => v.masked);
    assertDecodes(
      concat(...masked.map((v) => v.bytes)),
      { role: "server" },
      masked.flatMap((v) => v.frames),
    );
  });
});

Deno.test("FrameDecoder decodes empty payloads and every length encoding boundary", async (t) => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 65537]) {
    await t.step(`${length} bytes`, () => {
      const payload = Uint8Array.from({ length }, (_, i) => (i * 31) & 0xff);
      const frame: Frame = { fin: true, rsv: 0, opcode: 0x2, payload };
      const bytes = concat(
        encodeFrame(frame, { mask: RFC_MASK }),
        encodeFrame({ fin: true, rsv: 0, opcode: 0x9, payload: new Uint8Array() }, {
          mask: RFC_MASK,
        }),
      );
      assertDecodes(bytes, { role: "server" }, [
        frame,
        { fin: true, rsv: 0, opcode: 0x9, payload: new Uint8Array() },
      ]);
    });
  }
});

Deno.test("FrameDecoder round-trips random frames under random chunking", () => {
  const payloadArb = fc.oneof(
    { weight: 8, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(125, 126, 127, 65535, 65536).map((n) =>
        Uint8Array.from({ length: n }, (_, i) => i & 0xff)
      ),
    },
  );
  const dataFrame = fc.record({
    fin: fc.boolean(),
    rsv: fc.integer({ min: 0, max: 7 }),
    opcode: fc.constantFrom(0x0, 0x1, 0x2),
    payload: payloadArb,
  }).map((frame) => ({ ...frame }));
  const controlFrame = fc.record({
    fin: fc.constant(true),
    rsv: fc.integer({ min: 0, max: 7 }),
    opcode: fc.constantFrom(0x8, 0x9, 0xa),
    payload: fc.uint8Array({ maxLength: 125 }),
  }).map((frame) => ({ ...frame }));
  const frameArb = fc.oneof(dataFrame, controlFrame) as fc.Arbitrary<Frame>;
  fc.assert(
    fc.property(
      fc.array(frameArb, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.boolean(),
      (frames, masked, cuts, mask, ownsInput) => {
        const bytes = concat(
          ...frames.map((frame) => encodeFrame(frame, masked ? { mask } : {})),
        );
        const points = [...new Set(cuts.map((c) => c % bytes.length))]
          .filter((p) => p > 0)
          .sort((a, b) => a - b);
        const result = decodeFrames(splitAt(bytes, points), {
          role: roleFor(masked),
          allowedRsv: 7,
          ownsInput,
        });
        assert.equal(result.error, undefined);
        assert.deepEqual(result.out, frames);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("FrameDecoder rejects every reserved opcode", async (t) => {
  for (const opcode of RESERVED_OPCODES) {
    await t.step(`opcode 0x${opcode.toString(16)}`, () => {
      assertRejects(
        hex(`${(0x80 | opcode).toString(16)} 02 61 62`),
        { role: "client" },
        E.RESERVED_OPCODE,
        1002,
        1,
      );
      assertRejects(
        hex(`${opcode.toString(16).padStart(2, "0")} 82 37 fa 21 3d 56 98`),
        { role: "server" },
        E.RESERVED_OPCODE,
        1002,
        1,
      );
    });
  }
});

Deno.test("FrameDecoder rejects RSV bits that no extension claims", async (t) => {
  for (const rsv of [RSV1, RSV2, RSV3, RSV1 | RSV2, RSV1 | RSV2 | RSV3]) {
    await t.step(`RSV 0b${rsv.toString(2).padStart(3, "0")} without allowedRsv`, () => {
      const bytes = new Uint8Array([0x80 | (rsv << 4) | 0x2, 0x01, 0x07]);
      assertRejects(bytes, { role: "client" }, E.RESERVED_BITS, 1002, 1);
    });
  }
  await t.step("RSV2 when only RSV1 is allowed", () => {
    const bytes = new Uint8Array([0x80 | (RSV2 << 4) | 0x2, 0x01, 0x07]);
    assertRejects(bytes, { role: "client", allowedRsv: RSV1 }, E.RESERVED_BITS, 1002, 1);
  });
  await t.step("RSV3 on a control frame when only RSV1 is allowed", () => {
    const bytes = new Uint8Array([0x80 | (RSV3 << 4) | 0x9, 0x00]);
    assertRejects(bytes, { role: "client", allowedRsv: RSV1 }, E.RESERVED_BITS, 1002, 1);
  });
});

Deno.test("FrameDecoder accepts RSV bits claimed through allowedRsv", async (t) => {
  for (const rsv of [RSV1, RSV2, RSV3, RSV1 | RSV3]) {
    await t.step(`RSV 0b${rsv.toString(2).padStart(3, "0")}`, () => {
      const bytes = new Uint8Array([0x80 | (rsv << 4) | 0x2, 0x01, 0x07]);
      assertDecodes(bytes, { role: "client", allowedRsv: rsv }, [
        { fin: true, rsv, opcode: 0x2, payload: new Uint8Array([7]) },
      ]);
    });
  }
});

Deno.test("FrameDecoder enforces the masking rule of its role", async (t) => {
  await t.step("a server rejects an unmasked frame", () => {
    assertRejects(hex("81 05 48 65 6c 6c 6f"), { role: "server" }, E.UNMASKED_FRAME, 1002, 1);
  });
  await t.step("a server rejects an unmasked control frame", () => {
    assertRejects(hex("89 00"), { role: "server" }, E.UNMASKED_FRAME, 1002, 1);
  });
  await t.step("a client rejects a masked frame", () => {
    assertRejects(
      hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
      { role: "client" },
      E.MASKED_FRAME,
      1002,
      1,
    );
  });
});

Deno.test("FrameDecoder rejects a 64-bit length with its most significant bit set", async (t) => {
  const header = hex("82 7f 80 00 00 00 00 00 00 05");
  await t.step("as soon as the byte carrying the bit arrives", () => {
    assertRejects(header, { role: "client" }, E.INVALID_LENGTH, 1002, 2);
    assertRejects(
      concat(hex("82 ff 80 00 00 00 00 00 00 05"), RFC_MASK),
      { role: "server" },
      E.INVALID_LENGTH,
      1002,
      2,
    );
  });
  await t.step("with the rest of the header still missing", () => {
    for (const chunks of [[header.slice(0, 3)], [header.slice(0, 2), header.slice(2, 3)]]) {
      const decoder = createFrameDecoder({ role: "client" });
      let error: unknown;
      try {
        for (const chunk of chunks) decoder.push(chunk, () => assert.fail("no frame expected"));
      } catch (caught) {
        error = caught;
      }
      assertProtocolError(error, E.INVALID_LENGTH, 1002);
    }
  });
  await t.step("every other top byte is accepted as far as the length goes", () => {
    const result = decodeFrames([hex("82 7f 7f ff ff ff ff ff ff ff")], {
      role: "client",
      maxFrameSize: 100,
    });
    assertProtocolError(result.error, E.FRAME_TOO_BIG, 1009);
  });
});

Deno.test("FrameDecoder rejects a control frame without FIN", async (t) => {
  for (const [name, opcode] of [["close", 0x8], ["ping", 0x9], ["pong", 0xa]] as const) {
    await t.step(name, () => {
      assertRejects(
        new Uint8Array([opcode, 0x00]),
        { role: "client" },
        E.FRAGMENTED_CONTROL,
        1002,
        1,
      );
      assertRejects(
        concat(new Uint8Array([opcode, 0x80]), RFC_MASK),
        { role: "server" },
        E.FRAGMENTED_CONTROL,
        1002,
        1,
      );
    });
  }
});

Deno.test("FrameDecoder rejects a control frame with more than 125 bytes of payload", async (t) => {
  for (const [name, opcode] of [["close", 0x8], ["ping", 0x9], ["pong", 0xa]] as const) {
    await t.step(`${name} with a 16-bit length`, () => {
      const bytes = concat(new Uint8Array([0x80 | opcode, 0x7e, 0x00, 0x7e]), new Uint8Array(126));
      assertRejects(bytes, { role: "client" }, E.CONTROL_TOO_LONG, 1002, 1);
    });
    await t.step(`${name} with a 64-bit length`, () => {
      const bytes = concat(new Uint8Array([0x80 | opcode, 0xff]), new Uint8Array(8), RFC_MASK);
      assertRejects(bytes, { role: "server" }, E.CONTROL_TOO_LONG, 1002, 1);
    });
  }
  await t.step("a 125-byte ping is accepted", () => {
    const payload = new Uint8Array(125).fill(0x61);
    assertDecodes(concat(hex("89 7d"), payload), { role: "client" }, [
      { fin: true, rsv: 0, opcode: 0x9, payload },
    ]);
  });
});

Deno.test("FrameDecoder rejects a frame over maxFrameSize before its payload arrives", async (t) => {
  await t.step("7-bit length", () => {
    assertRejects(hex("82 0b"), { role: "client", maxFrameSize: 10 }, E.FRAME_TOO_BIG, 1009, 1);
  });
  await t.step("16-bit length", () => {
    assertRejects(
      hex("82 7e 04 01"),
      { role: "client", maxFrameSize: 1024 },
      E.FRAME_TOO_BIG,
      1009,
      3,
    );
  });
  await t.step("64-bit length, masked", () => {
    assertRejects(
      concat(hex("82 ff 00 00 00 01 00 00 00 00"), RFC_MASK),
      { role: "server", maxFrameSize: 1 << 20 },
      E.FRAME_TOO_BIG,
      1009,
      13,
    );
  });
  await t.step("a 64-bit length beyond 2^53", () => {
    assertRejects(
      hex("82 7f 7f ff ff ff ff ff ff ff"),
      { role: "client" },
      E.FRAME_TOO_BIG,
      1009,
      9,
    );
  });
  await t.step("a frame of exactly maxFrameSize is accepted", () => {
    const payload = new Uint8Array(10).fill(1);
    assertDecodes(concat(hex("82 0a"), payload), { role: "client", maxFrameSize: 10 }, [
      { fin: true, rsv: 0, opcode: 0x2, payload },
    ]);
  });
});

Deno.test("FrameDecoder reports a frame truncated at the end of input", () => {
  const bytes = concat(hex("81 fe 00 80"), RFC_MASK, new Uint8Array(128));
  for (let length = 1; length < bytes.length; length++) {
    const prefix = bytes.subarray(0, length);
    for (const { name, chunks } of chunkings(prefix, { everyPointUpTo: 16 })) {
      const result = decodeFrames(chunks, { role: "server" });
      assertProtocolError(result.error, E.TRUNCATED_FRAME, 1002, `${length} bytes, ${name}`);
      assert.equal(result.chunkLength, 0, "only end() reports truncation");
      assert.equal(result.out.length, 0);
    }
  }
  // A complete frame followed by nothing ends cleanly.
  assert.equal(decodeFrames([bytes], { role: "server" }).error, undefined);
  assert.equal(decodeFrames([], { role: "server" }).error, undefined);
});

Deno.test("FrameDecoder reports buffered bytes of a partial frame", () => {
  const decoder = createFrameDecoder({ role: "client" });
  const frames: Frame[] = [];
  decoder.push(hex("82"), (f) => frames.push(f));
  assert.equal(decoder.bufferedBytes, 1);
  decoder.push(hex("7e 01"), (f) => frames.push(f));
  assert.equal(decoder.bufferedBytes, 3);
  decoder.push(hex("00 01 02"), (f) => frames.push(f));
  assert.equal(decoder.bufferedBytes, 256);
  decoder.push(new Uint8Array(254), (f) => frames.push(f));
  assert.equal(decoder.bufferedBytes, 0);
  assert.equal(frames.length, 1);
  decoder.end();
});

Deno.test("FrameDecoder refuses to be used after it failed", () => {
  const decoder = createFrameDecoder({ role: "client" });
  assert.throws(() => decoder.push(hex("83 00"), () => {}), { code: E.RESERVED_OPCODE });
  assert.throws(() => decoder.push(hex("81 00"), () => {}), TypeError);
});

Deno.test("FrameDecoder validates its options", () => {
  assert.throws(
    () => createFrameDecoder({ role: "peer" as unknown as "server" }),
    TypeError,
  );
  for (const maxFrameSize of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => createFrameDecoder({ role: "server", maxFrameSize }), RangeError);
  }
});

Deno.test("FrameDecoder emits views over the input chunk when a frame is whole", async (t) => {
  await t.step("an unmasked payload shares the chunk's buffer", () => {
    const chunk = concat(hex("82 03 01 02 03"), hex("81 02 68 69"));
    const frames: Frame[] = [];
    createFrameDecoder({ role: "client" }).push(chunk, (f) => frames.push(f));
    assert.equal(frames.length, 2);
    assert.equal(frames[0]!.payload.buffer, chunk.buffer);
    assert.equal(frames[0]!.payload.byteOffset, chunk.byteOffset + 2);
    assert.equal(frames[1]!.payload.buffer, chunk.buffer);
    assert.equal(frames[1]!.payload.byteOffset, chunk.byteOffset + 7);
  });
  await t.step("a chunk that is itself a view at an offset", () => {
    const backing = concat(hex("ff ff ff"), hex("82 02 05 06"));
    const chunk = backing.subarray(3);
    const frames: Frame[] = [];
    createFrameDecoder({ role: "client" }).push(chunk, (f) => frames.push(f));
    assert.equal(frames[0]!.payload.buffer, backing.buffer);
    assert.equal(frames[0]!.payload.byteOffset, 5);
    assert.deepEqual([...frames[0]!.payload], [5, 6]);
  });
  await t.step("with ownsInput false a masked payload is copied and the chunk untouched", () => {
    const chunk = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    const original = chunk.slice();
    const frames: Frame[] = [];
    createFrameDecoder({ role: "server", ownsInput: false }).push(chunk, (f) => frames.push(f));
    assert.deepEqual(chunk, original);
    assert.notEqual(frames[0]!.payload.buffer, chunk.buffer);
    assert.equal(new TextDecoder().decode(frames[0]!.payload), "Hello");
  });
  await t.step("by default a masked payload is copied and the chunk untouched", () => {
    const chunk = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    const original = chunk.slice();
    createFrameDecoder({ role: "server" }).push(chunk, () => {});
    assert.deepEqual(chunk, original);
  });
  await t.step("with ownsInput true a masked payload is unmasked in place", () => {
    const chunk = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    const frames: Frame[] = [];
    createFrameDecoder({ role: "server", ownsInput: true }).push(chunk, (f) => frames.push(f));
    assert.equal(frames[0]!.payload.buffer, chunk.buffer);
    assert.equal(frames[0]!.payload.byteOffset, 6);
    assert.deepEqual(chunk.subarray(6), new TextEncoder().encode("Hello"));
  });
});

Deno.test("FrameDecoder copies a frame split over chunks into its own buffer", async (t) => {
  for (const masked of [false, true]) {
    await t.step(masked ? "masked" : "unmasked", () => {
      const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
      const bytes = encodeFrame(
        { fin: true, rsv: 0, opcode: 0x2, payload },
        masked ? { mask: RFC_MASK } : {},
      );
      for (const cut of [bytes.length - 300 + 1, bytes.length - 150, bytes.length - 1]) {
        const chunks = splitAt(bytes, [cut]);
        const result = decodeFrames(chunks, { role: roleFor(masked), ownsInput: true });
        const frame = result.out[0]!;
        assert.deepEqual(frame.payload, payload);
        for (const chunk of chunks) assert.notEqual(frame.payload.buffer, chunk.buffer);
        for (const chunk of chunks) chunk.fill(0xee);
        assert.deepEqual(frame.payload, payload, "independent of the input chunks");
      }
    });
  }
});

Deno.test("FrameDecoder takes the rest of a split frame read into its pending payload", async (t) => {
  for (const masked of [false, true]) {
    await t.step(masked ? "masked, through a BYOB read" : "unmasked, filled in place", async () => {
      const payload = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
      const bytes = encodeFrame(
        { fin: true, rsv: 0, opcode: 0x2, payload },
        masked ? { mask: RFC_MASK } : {},
      );
      const decoder = createFrameDecoder({ role: roleFor(masked), ownsInput: true });
      const frames: Frame[] = [];
      assert.equal(decoder.pendingPayload(), undefined);
      const header = bytes.length - 5000;
      decoder.push(bytes.subarray(0, header + 100), (f) => frames.push(f));
      let rest = header + 100;
      while (frames.length === 0) {
        const region = decoder.pendingPayload()!;
        assert.equal(region.length, bytes.length - rest);
        const n = Math.min(region.length, 2000);
        let filled: Uint8Array;
        if (masked) {
          // A BYOB read transfers the region's buffer and returns a view at the same offset.
          const stream = new ReadableStream({
            type: "bytes",
            pull(controller) {
              const view = controller.byobRequest!.view! as Uint8Array;
              view.set(bytes.subarray(rest, rest + n));
              controller.byobRequest!.respond(n);
            },
          });
          const result = await stream.getReader({ mode: "byob" }).read(region);
          filled = result.value!;
          assert.notEqual(filled.buffer, region.buffer);
        } else {
          region.set(bytes.subarray(rest, rest + n));
          filled = region.subarray(0, n);
        }
        decoder.commit(filled, (f) => frames.push(f));
        rest += n;
      }
      assert.equal(rest, bytes.length);
      assert.deepEqual(frames[0]!.payload, payload);
      assert.equal(decoder.pendingPayload(), undefined);
      decoder.end();
    });
  }
  await t.step("commit refuses bytes that are not the pending region", () => {
    const decoder = createFrameDecoder({ role: "client" });
    assert.throws(() => decoder.commit(new Uint8Array(1), () => {}), RangeError);
    decoder.push(hex("82 7e 01 00 01 02"), () => {});
    assert.throws(() => decoder.commit(new Uint8Array(254), () => {}), RangeError);
    const region = decoder.pendingPayload()!;
    assert.throws(() => decoder.commit(region.subarray(1, 3), () => {}), RangeError);
  });
});
