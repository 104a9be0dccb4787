// Hostile input: RSV1 where it does not belong, corrupt deflate data, zip bombs and invalid UTF-8
// all end in a ProtocolError with the right close code, never in another exception.
import assert from "node:assert/strict";
import { constants, deflateRawSync } from "node:zlib";
import fc from "fast-check";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import {
  encodeFrame,
  OPCODE,
  parseExtensionHeader,
  ProtocolError,
} from "../../src/protocol/mod.ts";
import { frame, hex } from "./_helpers.ts";
import { clientExtension, receive } from "./_wire.ts";

const isProtocolError = (code: string, closeCode: number) => (error: unknown) =>
  error instanceof ProtocolError && error.code === code && error.closeCode === closeCode;

/** Server-to-client frame bytes with RSV1 set. */
function compressedFrame(payload: Uint8Array, fin = true, opcode: 0 | 1 | 2 = OPCODE.TEXT) {
  return encodeFrame({ fin, rsv: 0b100, opcode, payload });
}

/** Raw deflate with a sync flush and the trailing 00 00 ff ff removed (RFC 7692 §7.2.1). */
function deflate(data: Uint8Array): Uint8Array {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
  return new Uint8Array(out.subarray(0, out.length - 4));
}

Deno.test("perMessageDeflate fails RSV1 on a continuation or control frame with 1002", async (t) => {
  const cases: [string, string][] = [
    ["continuation", "41 03 f2 48 cd c0 04 c9 c9 07 00"],
    ["ping", "c9 00"],
    ["pong", "ca 00"],
    ["close", "c8 02 03 e8"],
    ["continuation of a plain message", "01 01 48 c0 01 65"],
  ];
  for (const [name, wire] of cases) {
    await t.step(name, () => {
      const extension = clientExtension();
      const { error } = receive(extension, hex(wire));
      assert.ok(isProtocolError("RESERVED_BITS", 1002)(error), String(error));
      // A failed extension refuses further use instead of decoding in an unknown state.
      assert.throws(() => extension.decode(frame(OPCODE.TEXT, new Uint8Array(1))), TypeError);
      extension.close();
    });
  }
});

Deno.test("perMessageDeflate fails corrupt deflate data with 1007", async (t) => {
  const cases: [string, Uint8Array][] = [
    ["reserved block type 11", hex("ff ff ff")],
    ["stored block with a bad NLEN", hex("00 05 00 00 00 48 65 6c 6c 6f")],
    ["distance too far back", hex("f2 00 11 00 00")],
    ["bad code lengths", hex("ec fd ff ff ff ff ff ff")],
  ];
  for (const [name, payload] of cases) {
    for (
      const response of ["permessage-deflate", "permessage-deflate; server_no_context_takeover"]
    ) {
      await t.step(`${name} (${response})`, () => {
        const extension = clientExtension(response);
        const { events, error } = receive(extension, compressedFrame(payload));
        assert.deepEqual(events, []);
        assert.ok(isProtocolError("EXTENSION_ERROR", 1007)(error), String(error));
        extension.close();
        // The shared stream used without context takeover is reset for the next connection.
        const next = clientExtension(response);
        assert.deepEqual(receive(next, hex("c1 07 f2 48 cd c9 c9 07 00")).events, [
          { type: "text", data: "Hello" },
        ]);
        next.close();
      });
    }
  }
});

Deno.test("perMessageDeflate never throws anything but ProtocolError on random data", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      (pieces, takeover) => {
        const extension = clientExtension(
          takeover ? "permessage-deflate" : "permessage-deflate; server_no_context_takeover",
        );
        const wire = pieces.map((piece, i) =>
          encodeFrame({
            fin: i === pieces.length - 1,
            rsv: i === 0 ? 0b100 : 0,
            opcode: i === 0 ? OPCODE.BINARY : OPCODE.CONTINUATION,
            payload: piece,
          })
        );
        const { error } = receive(extension, wire);
        extension.close();
        assert.ok(error === undefined || error instanceof ProtocolError, String(error));
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("perMessageDeflate stops a zip bomb at maxMessageSize with 1009", async (t) => {
  const limit = 1024 * 1024;
  const bomb = deflate(new Uint8Array(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 KiB deflated
  assert.ok(bomb.length < 100 * 1024);
  for (const response of ["permessage-deflate", "permessage-deflate; server_no_context_takeover"]) {
    await t.step(`one frame (${response})`, () => {
      const extension = clientExtension(response, limit);
      const started = performance.now();
      const { error } = receive(extension, compressedFrame(bomb, true, OPCODE.BINARY), limit);
      assert.ok(isProtocolError("MESSAGE_TOO_BIG", 1009)(error), String(error));
      // Inflating stopped near the limit instead of producing all 64 MiB.
      assert.ok(performance.now() - started < 2_000);
      extension.close();
    });
  }
  await t.step("spread over fragments", () => {
    const extension = clientExtension("permessage-deflate", limit);
    const third = Math.ceil(bomb.length / 3);
    const wire = [0, 1, 2].map((i) =>
      encodeFrame({
        fin: i === 2,
        rsv: i === 0 ? 0b100 : 0,
        opcode: i === 0 ? OPCODE.BINARY : OPCODE.CONTINUATION,
        payload: bomb.subarray(i * third, (i + 1) * third),
      })
    );
    const { error } = receive(extension, wire, limit);
    assert.ok(isProtocolError("MESSAGE_TOO_BIG", 1009)(error), String(error));
    extension.close();
  });
  await t.step("a message of exactly maxMessageSize inflates", () => {
    const extension = clientExtension("permessage-deflate", limit);
    const { events, error } = receive(
      extension,
      compressedFrame(deflate(new Uint8Array(limit).fill(7)), true, OPCODE.BINARY),
      limit,
    );
    assert.equal(error, undefined);
    const event = events[0];
    assert.ok(event?.type === "binary" && event.data.length === limit);
    extension.close();
  });
  await t.step("the server side gets the limit from negotiation", () => {
    const accepted = perMessageDeflate().accept(parseExtensionHeader("permessage-deflate"), {
      maxMessageSize: 1000,
    })!;
    assert.throws(
      () => accepted.extension.decode(frame(OPCODE.BINARY, deflate(new Uint8Array(1001)), true, 4)),
      isProtocolError("MESSAGE_TOO_BIG", 1009),
    );
    accepted.extension.close();
  });
});

Deno.test("perMessageDeflate text is validated as UTF-8 after inflating", () => {
  const extension = clientExtension();
  const invalid = new Uint8Array([0x48, 0x69, 0xc3, 0x28, 0x21]);
  const { error } = receive(extension, compressedFrame(deflate(invalid)));
  assert.ok(isProtocolError("INVALID_UTF8", 1007)(error), String(error));
  extension.close();
  // A code point split across fragments of a compressed message is fine.
  const valid = new TextEncoder().encode("€uro ✓ 😀".repeat(50));
  const bytes = deflate(valid);
  const ok = clientExtension();
  const wire = [
    compressedFrame(bytes.subarray(0, 5), false),
    encodeFrame({
      fin: true,
      rsv: 0,
      opcode: OPCODE.CONTINUATION,
      payload: bytes.subarray(5),
    }),
  ];
  assert.deepEqual(receive(ok, wire).events, [{ type: "text", data: "€uro ✓ 😀".repeat(50) }]);
  ok.close();
});

Deno.test("perMessageDeflate refuses use after close", () => {
  const extension = clientExtension();
  extension.close();
  extension.close();
  assert.throws(() => extension.encode(OPCODE.TEXT, new Uint8Array(2000)), TypeError);
  assert.throws(() => extension.decode(frame(OPCODE.TEXT, new Uint8Array(1))), TypeError);
});
