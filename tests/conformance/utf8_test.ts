// Conformance, section 6 (after Autobahn|Testsuite): UTF-8 validation of text messages, whole and
// fragmented, and failing fast (RFC 6455 §8.1: invalid text fails the connection with 1007).
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import type { Session } from "./_harness.ts";
import { type Case, defineCases, expectFailure, expectTextEcho } from "./_suite.ts";
import { TimeoutError } from "./_timing.ts";
import { UTF8_GROUPS } from "./_utf8_sequences.ts";

const _encoder = new TextEncoder();
const C = OPCODE.CONTINUATION;

// "κόσμε": two- and three-byte sequences.
const _KOSME = [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5];

const _VALID: [string, string][] = [
  ["ASCII", "Hello-µ@ßöäüàá-UTF-8!!"],
  ["two-byte sequences", "κόσμε"],
  ["three-byte sequences", "\u0800\uffff\ud7ff\ue000\ufffd"],
  ["four-byte sequences", "\u{10000}\u{10ffff}🦕"],
  ["the first code point of each length", "\u0000\u0080\u0800\u{10000}"],
];

const _INVALID: [string, number[]][] = [
  ["a lone continuation byte", [0x80]],
  ["a truncated two-byte sequence", [0x61, 0xc2]],
  ["an overlong encoding of '/'", [0xc0, 0xaf]],
  ["an overlong three-byte NUL", [0xe0, 0x80, 0x80]],
  ["a UTF-16 surrogate (U+D800)", [0xed, 0xa0, 0x80]],
  ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ["the byte 0xFF", [0x61, 0xff, 0x62]],
  ["a truncated four-byte sequence", [0xf0, 0x9f, 0xa6]],
];

const cases: Case[] = [
  ..._VALID.map(([label, text], i): Case => ({
    name: `6.1.${i + 1} valid UTF-8 text (${label}) is echoed unchanged`,
    run: (s) => expectTextEcho(s, text),
  })),
  ..._VALID.map(([label, text], i): Case => ({
    name: `6.2.${i + 1} valid UTF-8 (${label}) split at every byte across fragments is joined`,
    async run({ peer }) {
      const bytes = _encoder.encode(text);
      const frames = [...bytes].map((byte, j) => ({
        opcode: j === 0 ? OPCODE.TEXT : C,
        payload: new Uint8Array([byte]),
        fin: j === bytes.length - 1,
      }));
      await peer.sendAll(frames);
      assert.equal(await peer.readText(), text);
    },
  })),
  ..._INVALID.map(([label, bytes], i): Case => ({
    name: `6.3.${i + 1} a text message with ${label} fails with 1007`,
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.TEXT, payload: new Uint8Array(bytes) });
      await expectFailure(s, 1007);
    },
  })),
  ..._INVALID.map(([label, bytes], i): Case => ({
    name: `6.4.${
      i + 1
    } a fragmented text message with ${label} in its last fragment fails with 1007`,
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "valid start ", fin: false },
        { opcode: C, payload: new Uint8Array(bytes) },
      ]);
      await expectFailure(s, 1007);
    },
  })),
  {
    name: "6.5.1 a two-byte sequence split across fragments is valid",
    async run({ peer }) {
      await peer.sendAll([
        { opcode: OPCODE.TEXT, payload: new Uint8Array([0x61, 0xce]), fin: false },
        { opcode: C, payload: new Uint8Array([0xba, 0x62]) },
      ]);
      assert.equal(await peer.readText(), "aκb");
    },
  },
  {
    // Autobahn 6.4.x: the connection fails on the fragment that makes the text invalid, without
    // waiting for the rest of the message.
    name: "6.5.2 invalid UTF-8 in the first fragment fails with 1007 before the message ends",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({
        opcode: OPCODE.TEXT,
        payload: new Uint8Array([
          0xce,
          0xba,
          0xe1,
          0xbd,
          0xb9,
          0xcf,
          0x83,
          0xce,
          0xbc,
          0xce,
          0xb5,
          0xf4,
          0x90,
        ]),
        fin: false,
      });
      await expectFailure(s, 1007);
    },
  },
  {
    name: "6.5.3 an impossible lead byte in the middle fragment fails with 1007 at once",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "ok ", fin: false },
        { opcode: C, payload: new Uint8Array([0xf8, 0x88]), fin: false },
      ]);
      await expectFailure(s, 1007);
    },
  },
  {
    name: "6.5.4 a sequence truncated at the end of the message fails with 1007",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.sendAll([
        { opcode: OPCODE.TEXT, payload: new Uint8Array([0x61, 0xe2, 0x82]), fin: false },
        { opcode: C, payload: new Uint8Array(0) },
      ]);
      await expectFailure(s, 1007);
    },
  },
  {
    name: "6.6 invalid UTF-8 in a binary message is delivered unchanged",
    async run({ peer }) {
      const payload = new Uint8Array([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]);
      await peer.send({ opcode: OPCODE.BINARY, payload });
      assert.deepEqual((await peer.readMessage()).data, payload);
    },
  },
  {
    name: "6.1.1 an empty text message is echoed as an empty text message",
    run: (s) => expectTextEcho(s, ""),
  },
  {
    name: "6.1.2 a text message of three empty fragments is echoed as an empty text message",
    async run({ peer }) {
      await peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "", fin: false },
        { opcode: C, payload: "", fin: false },
        { opcode: C, payload: "" },
      ]);
      assert.equal(await peer.readText(), "");
    },
  },
  {
    name: "6.1.3 empty first and last fragments around a non-empty one are joined",
    async run({ peer }) {
      await peer.sendAll([
        { opcode: OPCODE.TEXT, payload: "", fin: false },
        { opcode: C, payload: "middle frame payload", fin: false },
        { opcode: C, payload: "" },
      ]);
      assert.equal(await peer.readText(), "middle frame payload");
    },
  },
  {
    // Autobahn 6.4.1: fragments 1 and 3 valid, 2 invalid; the verdict comes on fragment 2.
    name: "6.4.1 a fragment with a code point above U+10FFFF fails with 1007 before the next one",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({ opcode: OPCODE.TEXT, payload: new Uint8Array(_KOSME), fin: false });
      await assert.rejects(s.peer.readFrame(150), TimeoutError, "first fragment taken");
      await s.peer.send({
        opcode: C,
        payload: new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
        fin: false,
      });
      await expectFailure(s, 1007, 1_000);
    },
  },
  {
    // Autobahn 6.4.2: the first fragment ends with a lead byte (still a valid prefix), the next
    // one starts with a byte that lead byte cannot take.
    name: "6.4.2 a lead byte closing one fragment and a bad continuation opening the next fail",
    needs: ["protocolErrors"],
    async run(s) {
      await s.peer.send({
        opcode: OPCODE.TEXT,
        payload: new Uint8Array([..._KOSME, 0xf4]),
        fin: false,
      });
      await assert.rejects(s.peer.readFrame(150), TimeoutError, "a valid prefix so far");
      await s.peer.send({ opcode: C, payload: new Uint8Array([0x90, 0x80, 0x80]), fin: false });
      await expectFailure(s, 1007, 1_000);
    },
  },
  {
    // Autobahn 6.4.3 sends one frame in chops: a valid part, an invalid part (a code point
    // above U+10FFFF), then the rest after a pause. The connection fails at the invalid part,
    // before the frame ends (RFC 6455 §8.1 fail fast; Autobahn: OK, not NON-STRICT).
    name:
      "6.4.3 invalid UTF-8 inside one frame sent in chops fails with 1007 before the frame ends",
    needs: ["protocolErrors"],
    run: (s) => _failsInChops(s, _KOSME.length, 4),
  },
  {
    // Autobahn 6.4.4: the invalid part is one byte (0xF4, still a valid prefix), then the rest
    // starts with 0x90, which makes it invalid: the connection fails at that chop.
    name:
      "6.4.4 a valid prefix inside one frame sent in chops fails with 1007 at the chop that breaks it",
    needs: ["protocolErrors"],
    run: (s) => _failsInChops(s, _KOSME.length + 1, 1),
  },
  ...UTF8_GROUPS.flatMap((group) =>
    group.sequences.map(([valid, bytes], i): Case =>
      valid
        ? {
          name: `${group.section}.${i + 1} ${group.title}: ${_hex(bytes)} is echoed unchanged`,
          async run({ peer }) {
            await peer.send({ opcode: OPCODE.TEXT, payload: new Uint8Array(bytes) });
            const message = await peer.readMessage();
            assert.equal(message.opcode, OPCODE.TEXT);
            assert.deepEqual(message.data, new Uint8Array(bytes));
          },
        }
        : {
          name: `${group.section}.${i + 1} ${group.title}: ${_hex(bytes)} fails with 1007`,
          needs: ["protocolErrors"],
          async run(s) {
            await s.peer.send({ opcode: OPCODE.TEXT, payload: new Uint8Array(bytes) });
            assert.deepEqual((await expectFailure(s, 1007)).before, [], "nothing echoed");
          },
        }
    )
  ),
];

defineCases("UTF-8", cases);

// Sends a text frame of "κόσμε", a code point above U+10FFFF and more text in two chops: the
// first `valid` payload bytes (a valid prefix: nothing comes back), then `more` bytes that make
// it invalid. The rest of the frame is never sent, yet the connection fails with 1007.
async function _failsInChops(s: Session, valid: number, more: number): Promise<void> {
  const payload = new Uint8Array([..._KOSME, 0xf4, 0x90, 0x80, 0x80, 0x65, 0x64, 0x69, 0x74]);
  const bytes = s.peer.frame({ opcode: OPCODE.TEXT, payload });
  const header = bytes.length - payload.length;
  await s.peer.write(bytes.subarray(0, header + valid));
  await assert.rejects(s.peer.readFrame(150), TimeoutError, "a valid prefix so far");
  await s.peer.write(bytes.subarray(header + valid, header + valid + more));
  await expectFailure(s, 1007, 1_000);
}

function _hex(bytes: readonly number[]): string {
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return hex.length > 24 ? `${hex.slice(0, 24)}… (${bytes.length} bytes)` : hex;
}
