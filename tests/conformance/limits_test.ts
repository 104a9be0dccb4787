// Conformance, section 9 (after Autobahn|Testsuite, scaled down): size limits close with 1009
// before the payload is buffered (RFC 6455 §7.4.1).
import assert from "node:assert/strict";
import { DEFAULT_LIMITS, OPCODE } from "../../src/protocol/mod.ts";
import { clientHarness } from "./_client_harness.ts";
import { splitHarness } from "./_connection_harness.ts";
import type { ConnOptions, Session } from "./_harness.ts";
import { streamsHarness } from "./_server_harness.ts";
import { type Case, defineCases, expectFailure, HARNESSES } from "./_suite.ts";

const C = OPCODE.CONTINUATION;
const _LIMITS: ConnOptions = {
  limits: { maxFrameSize: 1000, maxMessageSize: 2500, maxFragments: 10 },
};

function _bytes(length: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i + seed) & 0xff);
}

const cases: Case[] = [
  {
    name: "9.1 a frame of exactly maxFrameSize is accepted",
    needs: ["limits"],
    options: _LIMITS,
    async run({ peer }) {
      await peer.send({ opcode: OPCODE.BINARY, payload: _bytes(1000) });
      assert.deepEqual((await peer.readMessage()).data, _bytes(1000));
    },
  },
  {
    name: "9.2 a frame one byte over maxFrameSize fails with 1009",
    needs: ["limits"],
    options: _LIMITS,
    async run(s) {
      await s.peer.send({ opcode: OPCODE.BINARY, payload: _bytes(1001) });
      await expectFailure(s, 1009);
    },
  },
  {
    name: "9.3 a header announcing a 1 GiB frame fails with 1009 before any payload arrives",
    needs: ["limits"],
    options: _LIMITS,
    async run(s) {
      // Only the header of the frame: the verdict cannot wait for the payload.
      const header = s.peer.frame({ opcode: OPCODE.BINARY, payload: _bytes(70_000) });
      header[1] = (header[1]! & 0x80) | 127;
      const length = new Uint8Array(8);
      new DataView(length.buffer).setUint32(0, 0x40);
      const masked = (header[1]! & 0x80) !== 0;
      await s.peer.write(
        new Uint8Array([header[0]!, header[1]!, ...length, ...(masked ? [1, 2, 3, 4] : [])]),
      );
      await expectFailure(s, 1009);
    },
  },
  {
    name: "9.4 a fragmented message of exactly maxMessageSize is accepted",
    needs: ["limits"],
    options: _LIMITS,
    async run({ peer }) {
      const parts = [_bytes(1000), _bytes(1000, 1), _bytes(500, 2)];
      await peer.sendAll(parts.map((payload, i) => ({
        opcode: i === 0 ? OPCODE.BINARY : C,
        payload,
        fin: i === 2,
      })));
      const message = await peer.readMessage();
      assert.equal(message.data.length, 2500);
      assert.deepEqual(message.data.subarray(2000), _bytes(500, 2));
    },
  },
  {
    name: "9.5 a fragmented message one byte over maxMessageSize fails with 1009",
    needs: ["messageSizeLimit"],
    options: _LIMITS,
    async run(s) {
      const parts = [_bytes(1000), _bytes(1000), _bytes(501)];
      await s.peer.sendAll(parts.map((payload, i) => ({
        opcode: i === 0 ? OPCODE.TEXT : C,
        payload: payload.map(() => 0x61),
        fin: i === 2,
      })));
      await expectFailure(s, 1009);
    },
  },
  {
    name: "9.6 a message over maxMessageSize fails with 1009 without waiting for its last fragment",
    needs: ["limits"],
    options: _LIMITS,
    async run(s) {
      await s.peer.sendAll(
        [1, 2, 3].map(() => ({ opcode: C, payload: _bytes(900), fin: false }))
          .map((frame, i) => (i === 0 ? { ...frame, opcode: OPCODE.BINARY } : frame)),
      );
      await expectFailure(s, 1009);
    },
  },
  {
    name: "9.7 a message in more than maxFragments fragments fails with 1009",
    needs: ["limits"],
    options: _LIMITS,
    async run(s) {
      const frames = Array.from({ length: 11 }, (_, i) => ({
        opcode: i === 0 ? OPCODE.BINARY : C,
        payload: _bytes(1),
        fin: i === 10,
      }));
      await s.peer.sendAll(frames);
      await expectFailure(s, 1009);
    },
  },
  {
    name: "9.8 messages under the limits keep flowing after a message at the limit",
    needs: ["limits"],
    options: _LIMITS,
    async run({ peer }) {
      for (const length of [1000, 0, 999, 1]) {
        await peer.send({ opcode: OPCODE.BINARY, payload: _bytes(length) });
        assert.equal((await peer.readMessage()).data.length, length);
      }
    },
  },
];

defineCases("Limits", cases);

// Autobahn 9.x at the default limits: 16 MiB messages, 4 MiB messages in fragments down to 64
// bytes, 1 MiB written in 64-byte chops, and 1000 round trips. Run where the payload need not be
// read 7 bytes at a time.
const _LARGE_HARNESSES = HARNESSES.filter((h) => h !== splitHarness);
const _TCP_HARNESSES = [streamsHarness, clientHarness];
const MiB = 1024 * 1024;

// Payloads are built once per size and kind, then shared by every harness (nobody writes them).
const _payloads = new Map<string, Uint8Array>();

function _payload(opcode: number, length: number): Uint8Array {
  const key = `${opcode}/${length}`;
  let bytes = _payloads.get(key);
  if (bytes === undefined) {
    bytes = new Uint8Array(length);
    if (opcode === OPCODE.TEXT) { for (let i = 0; i < length; i++) bytes[i] = 0x41 + (i % 26); }
    else for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    _payloads.set(key, bytes);
  }
  return bytes;
}

// `assert.deepEqual` on megabytes is slow; compare, then report the first difference.
function _assertSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  assert.equal(actual.length, expected.length, "length");
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`bytes differ at ${i}`);
  }
}

function _fragmented(opcode: number, payload: Uint8Array, size: number) {
  const frames = [];
  for (let i = 0; i < payload.length; i += size) {
    frames.push({
      opcode: i === 0 ? opcode : C,
      payload: payload.subarray(i, i + size),
      fin: i + size >= payload.length,
    });
  }
  return frames;
}

async function _expectEcho(
  peer: Session["peer"],
  opcode: number,
  payload: Uint8Array,
  ms: number,
): Promise<void> {
  const message = await peer.readMessage(ms);
  assert.equal(message.opcode, opcode);
  _assertSameBytes(message.data, payload);
}

const large: Case[] = [
  ...[OPCODE.TEXT, OPCODE.BINARY].map((opcode): Case => ({
    name: `9.${opcode}.6 a 16 MiB ${
      opcode === 1 ? "text" : "binary"
    } message in one frame is echoed`,
    timeout: 20_000,
    async run({ peer }) {
      const payload = _payload(opcode, 16 * MiB);
      await peer.send({ opcode, payload });
      await _expectEcho(peer, opcode, payload, 15_000);
    },
  })),
  ...[[1, 64], [4, 4096], [8, MiB]].flatMap(([n, size]) =>
    [OPCODE.TEXT, OPCODE.BINARY].map((opcode): Case => ({
      name: `9.${opcode + 2}.${n} a 4 MiB ${opcode === 1 ? "text" : "binary"} message in ` +
        `${size}-byte fragments is echoed`,
      timeout: 20_000,
      async run({ peer }) {
        const payload = _payload(opcode, 4 * MiB);
        await peer.sendAll(_fragmented(opcode, payload, size!));
        await _expectEcho(peer, opcode, payload, 15_000);
      },
    }))
  ),
  {
    name: "9.7.6 a thousand 4096-byte texts, one at a time, are each echoed",
    timeout: 20_000,
    async run({ peer }) {
      const text = "x".repeat(4096);
      for (let i = 0; i < 1000; i++) {
        await peer.sendText(text);
        assert.equal(await peer.readText(), text);
      }
    },
  },
];

const chopped: Case[] = [
  {
    // Autobahn 9.5.1: one frame, written 64 bytes at a time.
    name: "9.5.1 a 1 MiB text written in 64-byte chops is echoed",
    timeout: 20_000,
    async run({ peer }) {
      const payload = _payload(OPCODE.TEXT, MiB);
      const bytes = peer.frame({ opcode: OPCODE.TEXT, payload });
      for (let i = 0; i < bytes.length; i += 64) await peer.write(bytes.subarray(i, i + 64));
      await _expectEcho(peer, OPCODE.TEXT, payload, 10_000);
    },
  },
  {
    // DEFAULT_LIMITS.maxFragments is 262,144: a 16 MiB message in 64-byte fragments exactly.
    name: "9.9 a 16 MiB binary message in 262,144 fragments of 64 bytes is echoed",
    timeout: 30_000,
    async run({ peer }) {
      const payload = _payload(OPCODE.BINARY, 16 * MiB);
      assert.equal(16 * MiB / 64, DEFAULT_LIMITS.maxFragments);
      await peer.sendAll(_fragmented(OPCODE.BINARY, payload, 64));
      await _expectEcho(peer, OPCODE.BINARY, payload, 25_000);
    },
  },
  {
    name: "9.10 a message in one fragment more than DEFAULT_LIMITS.maxFragments fails with 1009",
    needs: ["limits"],
    timeout: 20_000,
    async run(s) {
      await s.peer.sendAll(
        _fragmented(OPCODE.BINARY, _payload(OPCODE.BINARY, DEFAULT_LIMITS.maxFragments + 1), 1),
      );
      await expectFailure(s, 1009, 15_000);
    },
  },
];

defineCases("Limits (defaults)", large, _LARGE_HARNESSES);
defineCases("Limits (defaults, TCP)", chopped, _TCP_HARNESSES);
