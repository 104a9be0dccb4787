import assert from "node:assert/strict";
import {
  type Frame,
  FrameDecoderStream,
  PROTOCOL_ERROR_CODE as E,
} from "../../src/protocol/mod.ts";
import { assertProtocolError, drain } from "./_pipeline.ts";
import { chunkings, hex } from "./_split.ts";
import { RFC_VECTORS } from "./_vectors.ts";

function decode(chunks: Uint8Array[], masked: boolean): Promise<{ out: Frame[]; error: unknown }> {
  return drain(
    ReadableStream.from(chunks).pipeThrough(
      new FrameDecoderStream({ role: masked ? "server" : "client" }),
    ),
  );
}

Deno.test("FrameDecoderStream decodes the RFC 6455 §5.7 examples under every chunking", async (t) => {
  for (const vector of RFC_VECTORS) {
    await t.step(vector.name, async () => {
      for (const { name, chunks } of chunkings(vector.bytes, { everyPointUpTo: 32 })) {
        const { out, error } = await decode(chunks, vector.masked);
        assert.equal(error, undefined, name);
        assert.deepEqual(out, vector.frames, name);
      }
    });
  }
});

Deno.test("FrameDecoderStream errors the stream with the ProtocolError", async (t) => {
  await t.step("a reserved opcode", async () => {
    const { out, error } = await decode([hex("81 01 61 83 00 81 00")], false);
    assertProtocolError(error, E.RESERVED_OPCODE, 1002);
    assert.equal(out.length <= 1, true);
  });
  await t.step("an unmasked frame to a server", async () => {
    const { error } = await decode([hex("81 00")], true);
    assertProtocolError(error, E.UNMASKED_FRAME, 1002);
  });
  await t.step("a frame over maxFrameSize", async () => {
    const stream = new FrameDecoderStream({ role: "client", maxFrameSize: 4 });
    const { error } = await drain(ReadableStream.from([hex("82 05")]).pipeThrough(stream));
    assertProtocolError(error, E.FRAME_TOO_BIG, 1009);
  });
});

Deno.test("FrameDecoderStream errors when the input ends inside a frame", async () => {
  const bytes = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
  for (let length = 1; length < bytes.length; length++) {
    const { out, error } = await decode([bytes.slice(0, length)], true);
    assertProtocolError(error, E.TRUNCATED_FRAME, 1002, `${length} bytes`);
    assert.deepEqual(out, []);
  }
  const { out, error } = await decode([bytes.slice(0, 7), bytes.slice(7)], true);
  assert.equal(error, undefined);
  assert.equal(out.length, 1);
});

Deno.test("FrameDecoderStream owns its input and unmasks in place", async () => {
  const chunk = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
  const { out } = await decode([chunk], true);
  assert.equal(out[0]!.payload.buffer, chunk.buffer);
  assert.deepEqual(chunk.subarray(6), new TextEncoder().encode("Hello"));
});

Deno.test("FrameDecoderStream leaves the input alone with ownsInput false", async () => {
  const chunk = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
  const original = chunk.slice();
  const stream = new FrameDecoderStream({ role: "server", ownsInput: false });
  const { out } = await drain(ReadableStream.from([chunk]).pipeThrough(stream));
  assert.deepEqual(chunk, original);
  assert.equal(new TextDecoder().decode(out[0]!.payload), "Hello");
});
