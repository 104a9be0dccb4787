// Conformance, section 9 (after Autobahn|Testsuite, scaled down): size limits close with 1009
// before the payload is buffered (RFC 6455 §7.4.1).
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import type { ConnOptions } from "./_harness.ts";
import { type Case, defineCases, expectFailure } from "./_suite.ts";

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
    needs: ["limits"],
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
