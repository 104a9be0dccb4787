import assert from "node:assert/strict";
import {
  type AssemblerEvent,
  type Frame,
  FrameDecoderStream,
  type MessageAssemblerOptions,
  MessageAssemblerStream,
  OPCODE,
  PROTOCOL_ERROR_CODE as E,
} from "../../src/protocol/mod.ts";
import { assertProtocolError, drain, frame, wire } from "./_pipeline.ts";
import { chunkings, hex } from "./_split.ts";
import { RFC_MASK } from "./_vectors.ts";

function assemble(
  frames: Frame[],
  options?: MessageAssemblerOptions,
): Promise<{ out: AssemblerEvent[]; error: unknown }> {
  return drain(ReadableStream.from(frames).pipeThrough(new MessageAssemblerStream(options)));
}

Deno.test("MessageAssemblerStream turns frames into messages and control events", async () => {
  const { out, error } = await assemble([
    frame(OPCODE.TEXT, "Hel", false),
    frame(OPCODE.PING, "p"),
    frame(OPCODE.CONTINUATION, "lo"),
    frame(OPCODE.CLOSE, hex("03 e8")),
  ]);
  assert.equal(error, undefined);
  assert.deepEqual(out, [
    { type: "ping", data: new TextEncoder().encode("p"), reply: frame(OPCODE.PONG, "p") },
    { type: "text", data: "Hello" },
    { type: "close", code: 1000, reason: "", reply: frame(OPCODE.CLOSE, hex("03 e8")) },
  ]);
});

Deno.test("MessageAssemblerStream works behind FrameDecoderStream under every chunking", async () => {
  const bytes = wire([
    frame(OPCODE.TEXT, "κό", false),
    frame(OPCODE.PONG, ""),
    frame(OPCODE.CONTINUATION, "σμε"),
    frame(OPCODE.BINARY, new Uint8Array([1, 2])),
  ], RFC_MASK);
  for (const { name, chunks } of chunkings(bytes, { everyPointUpTo: 64 })) {
    const { out, error } = await drain(
      ReadableStream.from(chunks)
        .pipeThrough(new FrameDecoderStream({ role: "server" }))
        .pipeThrough(new MessageAssemblerStream()),
    );
    assert.equal(error, undefined, name);
    assert.deepEqual(out, [
      { type: "pong", data: new Uint8Array() },
      { type: "text", data: "κόσμε" },
      { type: "binary", data: new Uint8Array([1, 2]) },
    ], name);
  }
});

Deno.test("MessageAssemblerStream errors the stream with the ProtocolError", async (t) => {
  await t.step("a continuation without a start", async () => {
    const { error } = await assemble([frame(OPCODE.CONTINUATION, "x")]);
    assertProtocolError(error, E.UNEXPECTED_CONTINUATION, 1002);
  });
  await t.step("invalid UTF-8 split across fragments", async () => {
    const { error } = await assemble([
      frame(OPCODE.TEXT, hex("f4"), false),
      frame(OPCODE.CONTINUATION, hex("90"), false),
    ]);
    assertProtocolError(error, E.INVALID_UTF8, 1007);
  });
  await t.step("a message over maxMessageSize", async () => {
    const { error } = await assemble(
      [frame(OPCODE.BINARY, "abc", false), frame(OPCODE.CONTINUATION, "def")],
      { maxMessageSize: 5 },
    );
    assertProtocolError(error, E.MESSAGE_TOO_BIG, 1009);
  });
  await t.step("too many fragments", async () => {
    const { error } = await assemble(
      [frame(OPCODE.BINARY, "a", false), frame(0, "b", false), frame(0, "c")],
      { maxFragments: 2 },
    );
    assertProtocolError(error, E.TOO_MANY_FRAGMENTS, 1009);
  });
  await t.step("an invalid close code", async () => {
    const { error } = await assemble([frame(OPCODE.CLOSE, hex("03 ed"))]);
    assertProtocolError(error, E.INVALID_CLOSE_CODE, 1002);
  });
  await t.step("data after close", async () => {
    const { out, error } = await assemble([frame(OPCODE.CLOSE, ""), frame(OPCODE.TEXT, "x")]);
    assertProtocolError(error, E.DATA_AFTER_CLOSE, 1002);
    assert.equal(out.length <= 1, true);
  });
  await t.step("a bad frame from the decoder in front", async () => {
    const { error } = await drain(
      ReadableStream.from([hex("89 7e 00 7e")])
        .pipeThrough(new FrameDecoderStream({ role: "client" }))
        .pipeThrough(new MessageAssemblerStream()),
    );
    assertProtocolError(error, E.CONTROL_TOO_LONG, 1002);
  });
});

Deno.test("MessageAssemblerStream errors when the frames end inside a message", async () => {
  const { out, error } = await assemble([
    frame(OPCODE.BINARY, "a", false),
    frame(OPCODE.PING, ""),
  ]);
  assertProtocolError(error, E.TRUNCATED_FRAME, 1002);
  assert.equal(out.length <= 1, true);
});
