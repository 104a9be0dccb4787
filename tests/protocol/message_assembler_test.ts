import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AssemblerEvent,
  createFrameDecoder,
  createMessageAssembler,
  encodedFrameSize,
  encodeFrame,
  fragmentMessage,
  type Frame,
  type Message,
  type MessageAssemblerOptions,
  OPCODE,
  parseClosePayload,
  PROTOCOL_ERROR_CODE as E,
  type ProtocolErrorCode,
} from "../../src/protocol/mod.ts";
import { assertFailsAtByte, assertProtocolError, decodeEvents, frame, wire } from "./_pipeline.ts";
import { chunkings, concat, hex, splitAt } from "./_split.ts";
import { RFC_MASK, RFC_VECTORS } from "./_vectors.ts";

const te = new TextEncoder();

function closePayload(code: number, reason: Uint8Array | string = ""): Uint8Array {
  const bytes = typeof reason === "string" ? te.encode(reason) : reason;
  return concat(new Uint8Array([code >>> 8, code & 0xff]), bytes);
}

/** Runs `frames` through encoder, decoder and assembler, masked and not, under every chunking. */
function assertEvents(
  frames: readonly Frame[],
  expected: readonly AssemblerEvent[],
  options: MessageAssemblerOptions = {},
): void {
  for (const masked of [false, true]) {
    const bytes = wire(frames, masked ? RFC_MASK : undefined);
    for (const { name, chunks } of chunkings(bytes)) {
      for (const ownsInput of [false, true]) {
        const result = decodeEvents(chunks, { role: masked ? "server" : "client" }, {
          ...options,
          ownsInput,
        });
        assert.equal(result.error, undefined, `${name}: ${result.error}`);
        assert.deepEqual(result.out, expected, name);
      }
    }
  }
}

/**
 * Runs `frames` like {@linkcode assertEvents} and asserts that the assembler fails with this
 * error while the frame at `failingFrame` is decoded, after emitting `before`.
 */
function assertRejects(
  frames: readonly Frame[],
  code: ProtocolErrorCode,
  closeCode: number,
  failingFrame: number,
  options: MessageAssemblerOptions = {},
  before: readonly AssemblerEvent[] = [],
): void {
  for (const masked of [false, true]) {
    const bytes = wire(frames, masked ? RFC_MASK : undefined);
    let end = 0;
    for (const f of frames.slice(0, failingFrame + 1)) {
      end += encodedFrameSize(f.payload.length, masked);
    }
    for (const { name, chunks } of chunkings(bytes)) {
      const result = decodeEvents(chunks, { role: masked ? "server" : "client" }, options);
      assertProtocolError(result.error, code, closeCode, name);
      assertFailsAtByte(result, end - 1, name);
      assert.deepEqual(result.out, before, name);
    }
  }
}

Deno.test("MessageAssembler assembles the RFC 6455 §5.7 examples", async (t) => {
  for (const vector of RFC_VECTORS) {
    await t.step(vector.name, () => {
      const expected: AssemblerEvent[] = [];
      const payload = concat(...vector.frames.map((f) => f.payload));
      const opcode = vector.frames[0]!.opcode;
      if (opcode === OPCODE.TEXT) expected.push({ type: "text", data: "Hello" });
      if (opcode === OPCODE.BINARY) expected.push({ type: "binary", data: payload });
      if (opcode === OPCODE.PING) {
        expected.push({ type: "ping", data: payload, reply: frame(OPCODE.PONG, payload) });
      }
      if (opcode === OPCODE.PONG) expected.push({ type: "pong", data: payload });
      for (const { name, chunks } of chunkings(vector.bytes)) {
        const result = decodeEvents(chunks, { role: vector.masked ? "server" : "client" });
        assert.equal(result.error, undefined, name);
        assert.deepEqual(result.out, expected, name);
      }
    });
  }
});

Deno.test("MessageAssembler joins fragments with control frames in between", async (t) => {
  await t.step("text with a ping and a pong inside", () => {
    assertEvents(
      [
        frame(OPCODE.TEXT, "Hel", false),
        frame(OPCODE.PING, "p1"),
        frame(OPCODE.CONTINUATION, "l", false),
        frame(OPCODE.PONG, ""),
        frame(OPCODE.CONTINUATION, "o"),
        frame(OPCODE.BINARY, new Uint8Array([1, 2])),
      ],
      [
        { type: "ping", data: te.encode("p1"), reply: frame(OPCODE.PONG, "p1") },
        { type: "pong", data: new Uint8Array() },
        { type: "text", data: "Hello" },
        { type: "binary", data: new Uint8Array([1, 2]) },
      ],
    );
  });
  await t.step("binary with empty fragments and a close at the end", () => {
    assertEvents(
      [
        frame(OPCODE.BINARY, new Uint8Array([1]), false),
        frame(OPCODE.CONTINUATION, new Uint8Array(), false),
        frame(OPCODE.CONTINUATION, new Uint8Array([2, 3]), false),
        frame(OPCODE.PING, ""),
        frame(OPCODE.CONTINUATION, new Uint8Array()),
        frame(OPCODE.CLOSE, closePayload(1000, "bye")),
      ],
      [
        { type: "ping", data: new Uint8Array(), reply: frame(OPCODE.PONG, "") },
        { type: "binary", data: new Uint8Array([1, 2, 3]) },
        { type: "close", code: 1000, reason: "bye", reply: frame(OPCODE.CLOSE, hex("03 e8")) },
      ],
    );
  });
  await t.step("empty messages, single and fragmented", () => {
    assertEvents(
      [
        frame(OPCODE.TEXT, ""),
        frame(OPCODE.BINARY, new Uint8Array()),
        frame(OPCODE.TEXT, "", false),
        frame(OPCODE.CONTINUATION, ""),
      ],
      [
        { type: "text", data: "" },
        { type: "binary", data: new Uint8Array() },
        { type: "text", data: "" },
      ],
    );
  });
  await t.step("a byte order mark is kept", () => {
    assertEvents(
      [
        frame(OPCODE.TEXT, hex("ef bb bf 61")),
        frame(OPCODE.TEXT, hex("ef bb"), false),
        frame(OPCODE.CONTINUATION, hex("bf 62")),
      ],
      [{ type: "text", data: "\ufeffa" }, { type: "text", data: "\ufeffb" }],
    );
  });
  await t.step("a multi-byte character split at every byte across fragments", () => {
    const bytes = te.encode("aκό😀z");
    for (let i = 1; i < bytes.length; i++) {
      for (let j = i; j < bytes.length; j++) {
        assertEvents(
          [
            frame(OPCODE.TEXT, bytes.subarray(0, i), false),
            frame(OPCODE.CONTINUATION, bytes.subarray(i, j), false),
            frame(OPCODE.CONTINUATION, bytes.subarray(j)),
          ],
          [{ type: "text", data: "aκό😀z" }],
        );
      }
    }
  });
});

Deno.test("MessageAssembler parses close frames and builds the reply", async (t) => {
  await t.step("no payload means 1005 and an empty reply", () => {
    assertEvents([frame(OPCODE.CLOSE, new Uint8Array())], [
      { type: "close", code: 1005, reason: "", reply: frame(OPCODE.CLOSE, new Uint8Array()) },
    ]);
  });
  await t.step("a code and a UTF-8 reason; the reply echoes the code", () => {
    assertEvents([frame(OPCODE.CLOSE, closePayload(4001, "κόσμε"))], [
      { type: "close", code: 4001, reason: "κόσμε", reply: frame(OPCODE.CLOSE, hex("0f a1")) },
    ]);
  });
  for (
    const code of [
      1000,
      1001,
      1002,
      1003,
      1007,
      1008,
      1009,
      1010,
      1011,
      1012,
      1013,
      1014,
      3000,
      4999,
    ]
  ) {
    await t.step(`valid code ${code}`, () => {
      const event = parseClosePayload(closePayload(code));
      assert.equal(event.code, code);
      assert.equal(event.reason, "");
      assert.deepEqual(event.reply, frame(OPCODE.CLOSE, closePayload(code)));
    });
  }
  await t.step("a maximal 125-byte close payload", () => {
    const reason = "r".repeat(123);
    assertEvents([frame(OPCODE.CLOSE, closePayload(1000, reason))], [
      { type: "close", code: 1000, reason, reply: frame(OPCODE.CLOSE, hex("03 e8")) },
    ]);
  });
});

Deno.test("MessageAssembler rejects invalid close frames", async (t) => {
  await t.step("a 1-byte payload", () => {
    assertRejects([frame(OPCODE.CLOSE, hex("03"))], E.INVALID_CLOSE_PAYLOAD, 1002, 0);
  });
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535]) {
    await t.step(`code ${code}`, () => {
      assertRejects([frame(OPCODE.CLOSE, closePayload(code))], E.INVALID_CLOSE_CODE, 1002, 0);
      assert.throws(() => parseClosePayload(closePayload(code, "x")), {
        code: E.INVALID_CLOSE_CODE,
        closeCode: 1002,
      });
    });
  }
  for (
    const [name, reason] of [
      ["a lone continuation byte", hex("80")],
      ["an overlong encoding", hex("c0 af")],
      ["a surrogate", hex("ed a0 80")],
      ["a truncated sequence", hex("61 e2 82")],
    ] as const
  ) {
    await t.step(`a reason with ${name}`, () => {
      assertRejects([frame(OPCODE.CLOSE, closePayload(1000, reason))], E.INVALID_UTF8, 1007, 0);
    });
  }
});

Deno.test("MessageAssembler rejects frames after a close", async (t) => {
  const close = frame(OPCODE.CLOSE, closePayload(1000));
  const closeEvent: AssemblerEvent = {
    type: "close",
    code: 1000,
    reason: "",
    reply: frame(OPCODE.CLOSE, closePayload(1000)),
  };
  for (
    const [name, next] of [
      ["text", frame(OPCODE.TEXT, "x")],
      ["binary", frame(OPCODE.BINARY, new Uint8Array([1]))],
      ["ping", frame(OPCODE.PING, "")],
      ["pong", frame(OPCODE.PONG, "")],
      ["close", close],
      ["continuation", frame(OPCODE.CONTINUATION, "x")],
    ] as const
  ) {
    await t.step(name, () => {
      assertRejects([close, next], E.DATA_AFTER_CLOSE, 1002, 1, {}, [closeEvent]);
    });
  }
  await t.step("closeReceived is set", () => {
    const assembler = createMessageAssembler();
    assert.equal(assembler.closeReceived, false);
    assembler.push(close);
    assert.equal(assembler.closeReceived, true);
  });
});

Deno.test("MessageAssembler enforces continuation rules", async (t) => {
  await t.step("a continuation without a start", () => {
    assertRejects([frame(OPCODE.CONTINUATION, "x")], E.UNEXPECTED_CONTINUATION, 1002, 0);
    assertRejects([frame(OPCODE.CONTINUATION, "x", false)], E.UNEXPECTED_CONTINUATION, 1002, 0);
  });
  await t.step("a continuation after a complete message", () => {
    assertRejects(
      [frame(OPCODE.TEXT, "a"), frame(OPCODE.CONTINUATION, "b")],
      E.UNEXPECTED_CONTINUATION,
      1002,
      1,
      {},
      [{ type: "text", data: "a" }],
    );
  });
  for (const first of [OPCODE.TEXT, OPCODE.BINARY] as const) {
    for (const second of [OPCODE.TEXT, OPCODE.BINARY] as const) {
      await t.step(
        `a new ${second === 1 ? "text" : "binary"} frame inside a fragmented ${
          first === 1 ? "text" : "binary"
        } message`,
        () => {
          assertRejects(
            [frame(first, "a", false), frame(OPCODE.PING, ""), frame(second, "b")],
            E.EXPECTED_CONTINUATION,
            1002,
            2,
            {},
            [{ type: "ping", data: new Uint8Array(), reply: frame(OPCODE.PONG, "") }],
          );
          assertRejects(
            [frame(first, "a", false), frame(second, "b", false)],
            E.EXPECTED_CONTINUATION,
            1002,
            1,
          );
        },
      );
    }
  }
});

Deno.test("MessageAssembler rejects invalid UTF-8 with 1007", async (t) => {
  const invalid = [
    ["a lone continuation byte", hex("61 80 62")],
    ["0xff", hex("61 ff")],
    ["an overlong encoding", hex("c0 80")],
    ["an overlong three-byte encoding", hex("e0 80 af")],
    ["a UTF-16 surrogate", hex("ed a0 80")],
    ["a code point above U+10FFFF", hex("f4 90 80 80")],
    ["a start byte followed by ASCII", hex("ce 61")],
  ] as const;
  for (const [name, bytes] of invalid) {
    await t.step(`a single frame with ${name}`, () => {
      assertRejects([frame(OPCODE.TEXT, bytes)], E.INVALID_UTF8, 1007, 0);
    });
    await t.step(`a first fragment with ${name} fails before the message ends`, () => {
      assertRejects(
        [frame(OPCODE.TEXT, bytes, false), frame(OPCODE.CONTINUATION, "ok")],
        E.INVALID_UTF8,
        1007,
        0,
      );
    });
  }
  await t.step("a sequence split across fragments fails at its first invalid byte", () => {
    // 0xF4 may only be followed by 0x80–0x8F; 0x90 is wrong the moment it arrives.
    assertRejects(
      [
        frame(OPCODE.TEXT, hex("61 f4"), false),
        frame(OPCODE.CONTINUATION, hex("90"), false),
        frame(OPCODE.CONTINUATION, hex("80 80")),
      ],
      E.INVALID_UTF8,
      1007,
      1,
    );
    // The same with the rest of the message never arriving.
    const decoder = createFrameDecoder({ role: "client" });
    const assembler = createMessageAssembler();
    const bytes = wire([
      frame(OPCODE.TEXT, hex("f4"), false),
      frame(OPCODE.CONTINUATION, hex("90"), false),
    ]);
    assert.throws(
      () => decoder.push(bytes, (f) => assembler.push(f)),
      { code: E.INVALID_UTF8, closeCode: 1007 },
    );
  });
  await t.step("a surrogate split over three fragments fails at its second byte", () => {
    assertRejects(
      [
        frame(OPCODE.TEXT, hex("ed"), false),
        frame(OPCODE.CONTINUATION, hex("a0"), false),
        frame(OPCODE.CONTINUATION, hex("80")),
      ],
      E.INVALID_UTF8,
      1007,
      1,
    );
  });
  await t.step("a sequence truncated at the end of a single-frame message", () => {
    assertRejects([frame(OPCODE.TEXT, hex("61 f0 9f 98"))], E.INVALID_UTF8, 1007, 0);
  });
  await t.step("a sequence truncated at the end of a fragmented message", () => {
    assertRejects(
      [frame(OPCODE.TEXT, hex("61 e2"), false), frame(OPCODE.CONTINUATION, hex("82"))],
      E.INVALID_UTF8,
      1007,
      1,
    );
    assertRejects(
      [frame(OPCODE.TEXT, hex("61 e2 82"), false), frame(OPCODE.CONTINUATION, hex(""))],
      E.INVALID_UTF8,
      1007,
      1,
    );
  });
  await t.step("a binary message is not checked", () => {
    assertEvents([frame(OPCODE.BINARY, hex("ff c0"))], [{ type: "binary", data: hex("ff c0") }]);
  });
  await t.step("the next message starts with a fresh decoder state", () => {
    assertEvents(
      [
        frame(OPCODE.TEXT, hex("ce"), false),
        frame(OPCODE.CONTINUATION, hex("ba")),
        frame(OPCODE.TEXT, hex("ce ba")),
        frame(OPCODE.TEXT, hex("61"), false),
        frame(OPCODE.CONTINUATION, hex("62")),
      ],
      [{ type: "text", data: "κ" }, { type: "text", data: "κ" }, { type: "text", data: "ab" }],
    );
  });
});

Deno.test("MessageAssembler enforces maxMessageSize with 1009", async (t) => {
  const maxMessageSize = 10;
  for (const opcode of [OPCODE.TEXT, OPCODE.BINARY] as const) {
    const kind = opcode === OPCODE.TEXT ? "text" : "binary";
    await t.step(`a ${kind} message that grows over the limit across fragments`, () => {
      assertRejects(
        [
          frame(opcode, "aaaa", false),
          frame(OPCODE.CONTINUATION, "bbbb", false),
          frame(OPCODE.CONTINUATION, "ccc", false),
          frame(OPCODE.CONTINUATION, "d"),
        ],
        E.MESSAGE_TOO_BIG,
        1009,
        2,
        { maxMessageSize },
      );
    });
    await t.step(`a single ${kind} frame over the limit`, () => {
      assertRejects([frame(opcode, "a".repeat(11))], E.MESSAGE_TOO_BIG, 1009, 0, {
        maxMessageSize,
      });
    });
    await t.step(`a ${kind} message of exactly the limit`, () => {
      const data = "abcdefghij";
      const expected: AssemblerEvent = opcode === OPCODE.TEXT
        ? { type: "text", data }
        : { type: "binary", data: te.encode(data) };
      assertEvents([frame(opcode, data)], [expected], { maxMessageSize });
      assertEvents(
        [frame(opcode, "abc", false), frame(OPCODE.CONTINUATION, "defghij")],
        [expected],
        { maxMessageSize },
      );
    });
  }
  await t.step("control frames do not count towards the message", () => {
    assertEvents(
      [frame(OPCODE.BINARY, "aaaaa", false), frame(OPCODE.PING, "pppppppp"), frame(0, "bbbbb")],
      [
        { type: "ping", data: te.encode("pppppppp"), reply: frame(OPCODE.PONG, "pppppppp") },
        { type: "binary", data: te.encode("aaaaabbbbb") },
      ],
      { maxMessageSize },
    );
  });
});

Deno.test("MessageAssembler enforces maxFragments with 1009", async (t) => {
  const fragments = (n: number, opcode: 0x1 | 0x2): Frame[] =>
    fragmentMessage(opcode, te.encode("x".repeat(n)), { fragmentSize: 1 });
  for (const opcode of [OPCODE.TEXT, OPCODE.BINARY] as const) {
    await t.step(opcode === OPCODE.TEXT ? "text" : "binary", () => {
      assertRejects(fragments(5, opcode), E.TOO_MANY_FRAGMENTS, 1009, 3, { maxFragments: 3 });
      const data = "xxx";
      assertEvents(fragments(3, opcode), [
        opcode === OPCODE.TEXT ? { type: "text", data } : { type: "binary", data: te.encode(data) },
      ], { maxFragments: 3 });
    });
  }
  await t.step("the count starts again with each message", () => {
    assertEvents(
      [...fragments(3, OPCODE.TEXT), ...fragments(3, OPCODE.TEXT)],
      [{ type: "text", data: "xxx" }, { type: "text", data: "xxx" }],
      { maxFragments: 3 },
    );
  });
});

Deno.test("MessageAssembler reports its state", () => {
  const assembler = createMessageAssembler();
  assert.equal(assembler.inMessage, false);
  assert.equal(assembler.bufferedBytes, 0);
  assert.equal(assembler.push(frame(OPCODE.BINARY, new Uint8Array(3), false)), undefined);
  assert.equal(assembler.inMessage, true);
  assert.ok(assembler.bufferedBytes >= 3);
  assembler.push(frame(OPCODE.CONTINUATION, new Uint8Array(2)));
  assert.equal(assembler.inMessage, false);
  assert.equal(assembler.bufferedBytes, 0);
  assembler.push(frame(OPCODE.TEXT, "ab", false));
  assert.equal(assembler.bufferedBytes, 2);
});

Deno.test("MessageAssembler passes whole binary frames on as views and copies fragments", () => {
  const chunk = wire([
    frame(OPCODE.BINARY, new Uint8Array([1, 2, 3])),
    frame(OPCODE.BINARY, new Uint8Array([4]), false),
    frame(OPCODE.CONTINUATION, new Uint8Array([5])),
  ]);
  const result = decodeEvents([chunk], { role: "client" });
  const [whole, joined] = result.out as [Message, Message];
  assert.equal(whole.data instanceof Uint8Array && whole.data.buffer, chunk.buffer);
  assert.deepEqual(joined.data, new Uint8Array([4, 5]));
  assert.notEqual(joined.data instanceof Uint8Array && joined.data.buffer, chunk.buffer);
});

Deno.test("MessageAssembler round-trips random messages through the encoder and decoder", () => {
  const text = fc.string({ unit: "binary", maxLength: 200 }).filter((s) => s.isWellFormed());
  const message: fc.Arbitrary<Message> = fc.oneof(
    text.map((data) => ({ type: "text" as const, data })),
    fc.uint8Array({ maxLength: 400 }).map((data) => ({ type: "binary" as const, data })),
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          message,
          fragmentSize: fc.integer({ min: 1, max: 500 }),
          ping: fc.option(fc.uint8Array({ maxLength: 125 }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: undefined }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 16 }),
      (items, mask, randomKeys, cuts) => {
        const frames: Frame[] = [];
        const expected: AssemblerEvent[] = [];
        for (const { message, fragmentSize, ping } of items) {
          const payload = message.type === "text" ? te.encode(message.data) : message.data;
          const opcode = message.type === "text" ? OPCODE.TEXT : OPCODE.BINARY;
          const parts = fragmentMessage(opcode, payload, { fragmentSize });
          if (ping !== undefined) {
            // A ping in the middle of the message (or before it when it has one frame).
            parts.splice(parts.length - 1, 0, frame(OPCODE.PING, ping));
            expected.push({ type: "ping", data: ping, reply: frame(OPCODE.PONG, ping) });
          }
          frames.push(...parts);
          expected.push(message);
        }
        const masked = mask !== undefined;
        const bytes = concat(
          ...frames.map((f) => encodeFrame(f, masked ? { mask: randomKeys ? true : mask } : {})),
        );
        const points = [...new Set(cuts.map((c) => c % bytes.length))]
          .filter((p) => p > 0)
          .sort((a, b) => a - b);
        for (const ownsInput of [false, true]) {
          const result = decodeEvents(splitAt(bytes, points), {
            role: masked ? "server" : "client",
          }, { ownsInput });
          assert.equal(result.error, undefined);
          assert.deepEqual(result.out, expected);
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("MessageAssembler with ownsInput keeps fragments as given and joins them once", async (t) => {
  await t.step("the joined message is a copy of exactly its size", () => {
    const chunk = wire([
      frame(OPCODE.BINARY, new Uint8Array([1, 2]), false),
      frame(OPCODE.PING, "p"),
      frame(OPCODE.CONTINUATION, new Uint8Array([3]), false),
      frame(OPCODE.CONTINUATION, new Uint8Array([4, 5])),
    ]);
    const result = decodeEvents([chunk], { role: "client" }, { ownsInput: true });
    const joined = result.out[1] as Message;
    assert.deepEqual(joined.data, new Uint8Array([1, 2, 3, 4, 5]));
    assert.ok(joined.data instanceof Uint8Array);
    assert.notEqual(joined.data.buffer, chunk.buffer);
    assert.equal(joined.data.buffer.byteLength, 5);
  });
  await t.step("it counts the bytes held and resets after the message", () => {
    const assembler = createMessageAssembler({ ownsInput: true });
    assembler.push(frame(OPCODE.BINARY, new Uint8Array(3), false));
    assert.equal(assembler.bufferedBytes, 3);
    assembler.push(frame(OPCODE.CONTINUATION, new Uint8Array(2), false));
    assert.equal(assembler.bufferedBytes, 5);
    const done = assembler.push(frame(OPCODE.CONTINUATION, new Uint8Array(1)));
    assert.equal((done as Message).data.length, 6);
    assert.equal(assembler.bufferedBytes, 0);
    const next = assembler.push(frame(OPCODE.BINARY, new Uint8Array([9]), false));
    assert.equal(next, undefined);
    assert.deepEqual(
      (assembler.push(frame(OPCODE.CONTINUATION, new Uint8Array([8]))) as Message).data,
      new Uint8Array([9, 8]),
    );
  });
  await t.step("the limits fail on the fragment that crosses them", () => {
    const assembler = createMessageAssembler({ ownsInput: true, maxMessageSize: 5 });
    assembler.push(frame(OPCODE.BINARY, new Uint8Array(3), false));
    assert.throws(
      () => assembler.push(frame(OPCODE.CONTINUATION, new Uint8Array(3), false)),
      (error: unknown) => {
        assertProtocolError(error, E.MESSAGE_TOO_BIG, 1009);
        return true;
      },
    );
    const few = createMessageAssembler({ ownsInput: true, maxFragments: 2 });
    few.push(frame(OPCODE.BINARY, "a", false));
    few.push(frame(OPCODE.CONTINUATION, "b", false));
    assert.throws(() => few.push(frame(OPCODE.CONTINUATION, "c")), { closeCode: 1009 });
  });
});
