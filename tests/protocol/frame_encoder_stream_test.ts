import assert from "node:assert/strict";
import {
  type Frame,
  FrameDecoderStream,
  FrameEncoderStream,
  OPCODE,
} from "../../src/protocol/mod.ts";
import { drain, frame } from "./_pipeline.ts";
import { concat } from "./_split.ts";
import { RFC_MASK, RFC_VECTORS } from "./_vectors.ts";

Deno.test("FrameEncoderStream produces the RFC 6455 §5.7 example frames", async (t) => {
  for (const vector of RFC_VECTORS) {
    await t.step(vector.name, async () => {
      const { out, error } = await drain(
        ReadableStream.from(vector.frames).pipeThrough(
          new FrameEncoderStream(vector.masked ? { mask: RFC_MASK } : {}),
        ),
      );
      assert.equal(error, undefined);
      assert.equal(out.length, vector.frames.length, "one chunk per frame");
      assert.deepEqual(concat(...out), vector.bytes);
    });
  }
});

Deno.test("FrameEncoderStream masks with fresh keys that a server decodes", async () => {
  const frames: Frame[] = [
    frame(OPCODE.TEXT, "Hel", false),
    frame(OPCODE.PING, "p"),
    frame(OPCODE.CONTINUATION, "lo"),
    frame(OPCODE.BINARY, new Uint8Array(70_000).fill(7)),
  ];
  const bytes = await drain(
    ReadableStream.from(frames).pipeThrough(new FrameEncoderStream({ mask: true })),
  );
  const keys = new Set(bytes.out.map((chunk) => chunk.subarray(2, 6).join(",")));
  assert.ok(keys.size >= 3);
  const decoded = await drain(
    ReadableStream.from(bytes.out).pipeThrough(new FrameDecoderStream({ role: "server" })),
  );
  assert.equal(decoded.error, undefined);
  assert.deepEqual(decoded.out, frames);
});

Deno.test("FrameEncoderStream errors the stream on a frame it must not send", async () => {
  const { out, error } = await drain(
    ReadableStream.from([frame(OPCODE.TEXT, "ok"), frame(OPCODE.PING, new Uint8Array(126))])
      .pipeThrough(new FrameEncoderStream()),
  );
  assert.ok(error instanceof RangeError);
  assert.ok(out.length <= 1);
});
