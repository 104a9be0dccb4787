// A decoder asked to pool text payloads reads each final, uncompressed text frame that spans
// chunks into a buffer from the shared pool, and takes it back only when its caller gives back
// exactly that payload. Nothing else is pooled: a binary payload, a fragment or a compressed frame
// belongs to whoever receives it, so its buffer must never be handed to another frame.
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeFrame, type Frame, OPCODE, ProtocolError, RSV1 } from "../../src/protocol/mod.ts";
import {
  _poolTextPayloads,
  _returnPayload,
  createFrameDecoder,
  type FrameDecoder,
} from "../../src/protocol/frame_decoder.ts";

const te = new TextEncoder();
const td = new TextDecoder();

// Pushes `bytes` in chunks of `chunk` bytes; returns the frames.
function decodeIn(decoder: FrameDecoder, bytes: Uint8Array, chunk: number): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; at += chunk) {
    // Each chunk is a fresh copy, as a socket read would be.
    decoder.push(bytes.slice(at, at + chunk), (f) => frames.push(f));
  }
  return frames;
}

const masked = (frame: Frame): Uint8Array => encodeFrame(frame, { mask: true });
const text = (s: string, fin = true, rsv = 0): Frame => ({
  fin,
  rsv,
  opcode: OPCODE.TEXT,
  payload: te.encode(s),
});

Deno.test("a returned text payload's buffer serves the next large text frame", () => {
  const decoder = createFrameDecoder({ role: "server", ownsInput: true, validateText: true });
  _poolTextPayloads(decoder);
  const first = "a".repeat(70_000);
  const second = "é".repeat(30_000) + "b".repeat(15_000); // 75,000 bytes: the same size class
  const [one] = decodeIn(decoder, masked(text(first)), 16_384);
  assert.equal(td.decode(one!.payload), first);
  // A view of a pooled buffer, larger than the payload.
  assert.equal(one!.payload.byteOffset, 0);
  assert.equal(one!.payload.buffer.byteLength, 131_072);
  const buffer = one!.payload.buffer;
  _returnPayload(decoder, one!.payload);
  const [two] = decodeIn(decoder, masked(text(second)), 16_384);
  assert.ok(two!.payload.buffer === buffer, "the buffer given back is reused");
  assert.equal(td.decode(two!.payload), second);
  assert.equal(two!.payload.length, te.encode(second).length);
});

Deno.test("a payload not given back is never reused", () => {
  const decoder = createFrameDecoder({ role: "server", ownsInput: true, validateText: true });
  _poolTextPayloads(decoder);
  const [one] = decodeIn(decoder, masked(text("x".repeat(90_000))), 10_000);
  const [two] = decodeIn(decoder, masked(text("y".repeat(90_000))), 10_000);
  assert.ok(two!.payload.buffer !== one!.payload.buffer);
  assert.equal(td.decode(one!.payload), "x".repeat(90_000));
});

Deno.test("giving back twice, or giving back something else, pools nothing extra", () => {
  const decoder = createFrameDecoder({ role: "server", ownsInput: true, validateText: true });
  _poolTextPayloads(decoder);
  const [one] = decodeIn(decoder, masked(text("x".repeat(50_000))), 8_000);
  _returnPayload(decoder, one!.payload);
  _returnPayload(decoder, one!.payload);
  _returnPayload(decoder, one!.payload.subarray(0, 10));
  _returnPayload(decoder, new Uint8Array(65_536));
  // Two frames in progress at once (two decoders) must get different buffers.
  const other = createFrameDecoder({ role: "server", ownsInput: true, validateText: true });
  _poolTextPayloads(other);
  const a = decodeIn(decoder, masked(text("p".repeat(50_000))), 8_000)[0]!;
  const b = decodeIn(other, masked(text("q".repeat(50_000))), 8_000)[0]!;
  assert.ok(a.payload.buffer !== b.payload.buffer);
  assert.equal(td.decode(a.payload), "p".repeat(50_000));
  assert.equal(td.decode(b.payload), "q".repeat(50_000));
});

Deno.test("binary frames, fragments, compressed frames and short frames are not pooled", () => {
  const decoder = createFrameDecoder({
    role: "server",
    ownsInput: true,
    validateText: true,
    allowedRsv: RSV1,
  });
  _poolTextPayloads(decoder);
  const cases: Frame[] = [
    { fin: true, rsv: 0, opcode: OPCODE.BINARY, payload: new Uint8Array(40_000).fill(7) },
    text("f".repeat(40_000), false),
    { fin: true, rsv: 0, opcode: OPCODE.CONTINUATION, payload: te.encode("g".repeat(40_000)) },
    text("h".repeat(40_000), true, RSV1),
  ];
  for (const frame of cases) {
    const [decoded] = decodeIn(decoder, masked(frame), 9_000);
    assert.ok(td.decode(decoded!.payload) === td.decode(frame.payload));
    assert.equal(decoded!.payload.buffer.byteLength, 40_000, `opcode ${frame.opcode} exact`);
    _returnPayload(decoder, decoded!.payload);
  }
  // A text frame that arrives whole in one chunk is a view of that chunk.
  const chunk = masked(text("short"));
  const [whole] = decodeIn(decoder, chunk, chunk.length);
  assert.equal(whole!.payload.buffer.byteLength, chunk.length);
});

Deno.test("without pooling, payloads get buffers of their exact size", () => {
  const decoder = createFrameDecoder({ role: "server", ownsInput: true, validateText: true });
  const [one] = decodeIn(decoder, masked(text("a".repeat(70_000))), 16_384);
  assert.equal(one!.payload.buffer.byteLength, 70_000);
});

Deno.test("pooled payloads read through pendingPayload and commit, in place and after a transfer", () => {
  const decoder = createFrameDecoder({ role: "client", ownsInput: true, validateText: true });
  _poolTextPayloads(decoder);
  const content = "z".repeat(20_000) + "€".repeat(10_000);
  const bytes = encodeFrame(text(content));
  const frames: Frame[] = [];
  decoder.push(bytes.slice(0, 1_000), (f) => frames.push(f));
  let at = 1_000;
  let transfer = false;
  while (frames.length === 0) {
    const region = decoder.pendingPayload()!;
    const n = Math.min(region.length, 7_000);
    region.set(bytes.subarray(at, at + n));
    let filled = region.subarray(0, n);
    if (transfer) {
      // What a BYOB read hands back: the same bytes in a transferred buffer.
      const offset = region.byteOffset;
      const moved = (region.buffer as ArrayBuffer).transfer();
      filled = new Uint8Array(moved, offset, n);
    }
    transfer = !transfer;
    decoder.commit(filled, (f) => frames.push(f));
    at += n;
  }
  assert.equal(td.decode(frames[0]!.payload), content);
  assert.equal(frames[0]!.payload.buffer.byteLength, 65_536);
});

Deno.test("pooled large text frames under random chunking: the text, or a 1007 exactly when it is not UTF-8", () => {
  // Mostly ASCII with some multi-byte characters, and sometimes one byte that breaks UTF-8,
  // in frames that span 4 KiB blocks and several chunks, masked or not, on one decoder that is
  // given back every payload (so buffers are reused across frames).
  const pieces = ["a", "b c ", '{"k":1}', "é", "€", "\u{1f600}", "\u0800"];
  const fatal = new TextDecoder("utf-8", { fatal: true });
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          parts: fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 40 }),
          repeat: fc.integer({ min: 1, max: 600 }),
          bad: fc.option(
            fc.record({ at: fc.nat(), byte: fc.constantFrom(0x80, 0xc3, 0xed, 0xff) }),
          ),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 9_000 }), { minLength: 1, maxLength: 6 }),
      (specs, masked, chunkSizes) => {
        const decoder = createFrameDecoder({
          role: masked ? "server" : "client",
          ownsInput: true,
          validateText: true,
        });
        _poolTextPayloads(decoder);
        for (const spec of specs) {
          const payload = te.encode(spec.parts.join("").repeat(spec.repeat));
          if (spec.bad !== null) payload[spec.bad.at % payload.length] = spec.bad.byte;
          let valid = true;
          try {
            fatal.decode(payload);
          } catch {
            valid = false;
          }
          const bytes = encodeFrame(
            { fin: true, rsv: 0, opcode: OPCODE.TEXT, payload },
            masked ? { mask: true } : {},
          );
          const frames: Frame[] = [];
          let error: unknown;
          try {
            for (let at = 0, i = 0; at < bytes.length; i++) {
              const size = chunkSizes[i % chunkSizes.length]!;
              decoder.push(bytes.slice(at, at + size), (f) => frames.push(f));
              at += size;
            }
          } catch (caught) {
            error = caught;
          }
          if (!valid) {
            // Caught now, or (for a frame that arrived in one chunk) by whoever decodes the text.
            if (error === undefined) {
              assert.equal(frames.length, 1);
              assert.throws(() => fatal.decode(frames[0]!.payload));
            } else {
              assert.ok(error instanceof ProtocolError && error.closeCode === 1007);
            }
            return;
          }
          assert.equal(error, undefined);
          assert.equal(frames.length, 1);
          const got = frames[0]!.payload;
          assert.ok(got.length === payload.length && got.every((b, i) => b === payload[i]));
          _returnPayload(decoder, got);
        }
      },
    ),
    { numRuns: 400 },
  );
});
