import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CBOR_CODEC,
  type Codec,
  codecFor,
  decodeEnvelope,
  EnvelopeError,
  JSON_CODEC,
  MSGPACK_CODEC,
  validateEnvelope,
} from "@aero/socket/messaging";
import type { Message } from "@aero/socket";

const CODECS: Codec[] = [JSON_CODEC, MSGPACK_CODEC, CBOR_CODEC];

function message(codec: Codec, value: unknown): Message {
  const data = codec.encode(value);
  return typeof data === "string" ? { type: "text", data } : { type: "binary", data };
}

function rejects(fn: () => unknown, code: string, closeCode?: number, id?: string | number) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof EnvelopeError);
    assert.equal(error.code, code);
    assert.equal(error.closeCode, closeCode);
    assert.equal(error.id, id);
    return true;
  });
}

const VALID = [
  { type: "connect" },
  { type: "connect", id: 1, resume: "rt", data: { token: "x" } },
  { type: "subscribe", id: 1, topic: "a.b" },
  { type: "subscribe", id: "s", topic: "a.*", since: { epoch: "e", offset: 3 } },
  { type: "unsubscribe", id: 2, topic: "a" },
  { type: "publish", topic: "a", data: [1, 2] },
  { type: "publish", id: 5, topic: "a", data: "x", ack: true, required: true },
  { type: "request", id: 6, method: "m", data: { a: 1 }, timeout: 100 },
  { type: "response", id: 7, data: 1 },
  { type: "response", id: 7, error: { code: "x", message: "y", data: 1 } },
  { type: "join", id: 8, topic: "a", data: { n: 1 } },
  { type: "leave", id: 9, topic: "a" },
  { type: "presence", id: 10, topic: "a" },
];

for (const codec of CODECS) {
  Deno.test(`decodeEnvelope reads every client envelope with ${codec.protocol}`, () => {
    for (const envelope of VALID) {
      assert.deepEqual(decodeEnvelope(message(codec, envelope), codec), envelope);
    }
  });

  Deno.test(`decodeEnvelope closes 1003 on the wrong frame kind with ${codec.protocol}`, () => {
    const wrong: Message = codec.binary
      ? { type: "text", data: "{}" }
      : { type: "binary", data: new Uint8Array([0x80]) };
    rejects(() => decodeEnvelope(wrong, codec), "unsupported_data", 1003);
  });

  Deno.test(`decodeEnvelope closes 1008 on an oversized envelope with ${codec.protocol}`, () => {
    const big = message(codec, { type: "publish", topic: "a", data: "x".repeat(100) });
    rejects(() => decodeEnvelope(big, codec, { maxSize: 50 }), "too_large", 1008);
  });

  Deno.test(`decodeEnvelope closes 1007 on undecodable input with ${codec.protocol}`, () => {
    const bad: Message = codec.binary
      ? { type: "binary", data: new Uint8Array([0xc1]) }
      : { type: "text", data: '{"type":' };
    rejects(() => decodeEnvelope(bad, codec), "bad_encoding", 1007);
  });

  Deno.test(`decodeEnvelope never throws anything but EnvelopeError with ${codec.protocol}`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.anything(), (bytes, value) => {
        for (const input of [bytes, value]) {
          try {
            const m: Message = input instanceof Uint8Array
              ? (codec.binary
                ? { type: "binary", data: input }
                : { type: "text", data: new TextDecoder().decode(input) })
              : message(codec, input);
            decodeEnvelope(m, codec);
          } catch (error) {
            if (error instanceof EnvelopeError) continue;
            // Values the codec cannot encode are the generator's problem, not the decoder's.
            if (!(input instanceof Uint8Array)) continue;
            throw error;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
}

Deno.test("validateEnvelope rejects malformed envelopes with bad_envelope and the id", () => {
  rejects(() => validateEnvelope(null), "bad_envelope");
  rejects(() => validateEnvelope([1]), "bad_envelope");
  rejects(() => validateEnvelope({ id: 1 }), "bad_envelope", undefined, 1);
  rejects(() => validateEnvelope({ type: "nope", id: "a" }), "bad_envelope", undefined, "a");
  rejects(() => validateEnvelope({ type: "subscribe", topic: "a" }), "bad_envelope");
  rejects(() => validateEnvelope({ type: "subscribe", id: -1, topic: "a" }), "bad_envelope");
  rejects(
    () => validateEnvelope({ type: "subscribe", id: "x".repeat(65), topic: "a" }),
    "bad_envelope",
  );
  rejects(
    () => validateEnvelope({ type: "subscribe", id: 1, topic: 5 }),
    "bad_envelope",
    undefined,
    1,
  );
  rejects(
    () => validateEnvelope({ type: "subscribe", id: 1, topic: "a", since: { epoch: "e" } }),
    "bad_envelope",
    undefined,
    1,
  );
  rejects(() => validateEnvelope({ type: "publish", topic: "a", ack: true }), "bad_envelope");
  rejects(
    () => validateEnvelope({ type: "publish", id: 1, topic: "a", ack: "yes" }),
    "bad_envelope",
    undefined,
    1,
  );
  rejects(
    () => validateEnvelope({ type: "request", id: 1, method: "" }),
    "bad_envelope",
    undefined,
    1,
  );
  rejects(
    () => validateEnvelope({ type: "request", id: 1, method: "m", timeout: 0 }),
    "bad_envelope",
    undefined,
    1,
  );
  rejects(
    () => validateEnvelope({ type: "response", id: 1, error: { code: 1 } }),
    "bad_envelope",
    undefined,
    1,
  );
  rejects(() => validateEnvelope({ type: "connect", resume: 5 }), "bad_envelope");
});

Deno.test("codecFor selects the codec of each aero.v1 subprotocol", () => {
  assert.equal(codecFor("aero.v1.json"), JSON_CODEC);
  assert.equal(codecFor("aero.v1.msgpack"), MSGPACK_CODEC);
  assert.equal(codecFor("aero.v1.cbor"), CBOR_CODEC);
  assert.equal(codecFor(""), undefined);
});
