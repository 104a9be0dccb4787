import assert from "node:assert/strict";
import {
  FrameDecoderStream,
  MessageAssemblerStream,
  MessageDecoderStream,
  OPCODE,
  PROTOCOL_ERROR_CODE as E,
} from "../../src/protocol/mod.ts";
import { assertProtocolError, drain, frame, wire } from "./_pipeline.ts";
import { chunkings, hex } from "./_split.ts";
import { RFC_MASK } from "./_vectors.ts";

Deno.test("MessageDecoderStream matches the two-stage pipeline under every chunking", async () => {
  const bytes = wire([
    frame(OPCODE.TEXT, "κό", false),
    frame(OPCODE.PING, "p"),
    frame(OPCODE.CONTINUATION, "σμε"),
    frame(OPCODE.BINARY, new Uint8Array([1, 2]), false),
    frame(OPCODE.CONTINUATION, new Uint8Array([3])),
    frame(OPCODE.BINARY, new Uint8Array([4])),
    frame(OPCODE.CLOSE, hex("03 e8 6f 6b")),
  ], RFC_MASK);
  const expected = [
    { type: "ping", data: new TextEncoder().encode("p"), reply: frame(OPCODE.PONG, "p") },
    { type: "text", data: "κόσμε" },
    { type: "binary", data: new Uint8Array([1, 2, 3]) },
    { type: "binary", data: new Uint8Array([4]) },
    { type: "close", code: 1000, reason: "ok", reply: frame(OPCODE.CLOSE, hex("03 e8")) },
  ];
  for (const { name, chunks } of chunkings(bytes, { everyPointUpTo: 64 })) {
    const combined = await drain(
      ReadableStream.from(chunks.map((c) => c.slice()))
        .pipeThrough(new MessageDecoderStream({ role: "server" })),
    );
    const staged = await drain(
      ReadableStream.from(chunks.map((c) => c.slice()))
        .pipeThrough(new FrameDecoderStream({ role: "server" }))
        .pipeThrough(new MessageAssemblerStream()),
    );
    assert.equal(combined.error, undefined, name);
    assert.deepEqual(combined.out, expected, name);
    assert.deepEqual(staged.out, combined.out, name);
  }
});

Deno.test("MessageDecoderStream passes a whole binary frame on as a view of its chunk", async () => {
  const chunk = wire([frame(OPCODE.BINARY, new Uint8Array([1, 2, 3]))]);
  const { out } = await drain(
    ReadableStream.from([chunk]).pipeThrough(new MessageDecoderStream({ role: "client" })),
  );
  const [message] = out;
  assert.equal(message?.type, "binary");
  assert.equal(message.type === "binary" && message.data.buffer, chunk.buffer);
});

Deno.test("MessageDecoderStream errors the stream with the ProtocolError", async (t) => {
  await t.step("a bad frame", async () => {
    const { error } = await drain(
      ReadableStream.from([hex("89 7e 00 7e")]).pipeThrough(
        new MessageDecoderStream({ role: "client" }),
      ),
    );
    assertProtocolError(error, E.CONTROL_TOO_LONG, 1002);
  });
  await t.step("a message over maxMessageSize", async () => {
    const bytes = wire([frame(OPCODE.BINARY, "abc", false), frame(OPCODE.CONTINUATION, "def")]);
    const { error } = await drain(
      ReadableStream.from([bytes]).pipeThrough(
        new MessageDecoderStream({ role: "client", maxMessageSize: 5 }),
      ),
    );
    assertProtocolError(error, E.MESSAGE_TOO_BIG, 1009);
  });
  await t.step("input that ends inside a frame", async () => {
    const { error } = await drain(
      ReadableStream.from([hex("82 02 01")]).pipeThrough(
        new MessageDecoderStream({ role: "client" }),
      ),
    );
    assertProtocolError(error, E.TRUNCATED_FRAME, 1002);
  });
  await t.step("input that ends inside a fragmented message", async () => {
    const { out, error } = await drain(
      ReadableStream.from([wire([frame(OPCODE.TEXT, "a", false), frame(OPCODE.PING, "")])])
        .pipeThrough(new MessageDecoderStream({ role: "client" })),
    );
    assertProtocolError(error, E.TRUNCATED_FRAME, 1002);
    assert.equal(out.length, 1);
  });
});
