// Conformance, section 6 (after Autobahn|Testsuite): UTF-8 validation of text messages, whole and
// fragmented, and failing fast (RFC 6455 §8.1: invalid text fails the connection with 1007).
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import { type Case, defineCases, expectFailure, expectTextEcho } from "./_suite.ts";

const _encoder = new TextEncoder();
const C = OPCODE.CONTINUATION;

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
];

defineCases("UTF-8", cases);
