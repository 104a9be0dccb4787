// Property tests: random message sequences, agreements and fragmentation round-trip through
// encode → fragment → decode → assemble.
import assert from "node:assert/strict";
import fc from "fast-check";
import { perMessageDeflate, type PerMessageDeflateOptions } from "../../src/extensions/mod.ts";
import { createMessageAssembler } from "../../src/protocol/mod.ts";
import { jsonLike, OPCODE, transfer } from "./_helpers.ts";

const request = fc.record({
  serverNoContextTakeover: fc.boolean(),
  clientNoContextTakeover: fc.boolean(),
  serverMaxWindowBits: fc.option(fc.integer({ min: 8, max: 15 }), { nil: undefined }),
  clientMaxWindowBits: fc.option(fc.integer({ min: 8, max: 15 }), { nil: undefined }),
  threshold: fc.constantFrom(0, 16, 1024),
  level: fc.integer({ min: 0, max: 9 }),
  memLevel: fc.integer({ min: 1, max: 9 }),
});

// Payloads that compress (repetitive text, JSON, runs) and that do not (random bytes).
type Payload = string | Uint8Array;
const payload: fc.Arbitrary<Payload> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.uint8Array({ maxLength: 3000 }),
  fc.integer({ min: 0, max: 40_000 }).map((n) => jsonLike(n, n)),
  fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 500 })).map(([s, n]) =>
    s.repeat(n)
  ),
);

Deno.test("perMessageDeflate round-trips random messages under random agreements and fragmentation", () => {
  fc.assert(
    fc.property(
      request,
      fc.array(fc.tuple(payload, fc.integer({ min: 1, max: 5000 })), {
        minLength: 1,
        maxLength: 8,
      }),
      (options, messages) => {
        const clientOptions: PerMessageDeflateOptions = {};
        for (const [key, value] of Object.entries(options)) {
          if (value !== undefined) Object.assign(clientOptions, { [key]: value });
        }
        const client = perMessageDeflate(clientOptions);
        const accepted = perMessageDeflate({ threshold: options.threshold }).accept(
          client.offer(),
        )!;
        const server = accepted.extension;
        const clientSide = client.accepted(accepted.response);
        const toServer = createMessageAssembler();
        const toClient = createMessageAssembler();
        for (const [message, fragmentSize] of messages) {
          const text = typeof message === "string";
          const bytes = text ? new TextEncoder().encode(message) : message;
          const opcode = text ? OPCODE.TEXT : OPCODE.BINARY;
          const expected = text ? { type: "text", data: message } : { type: "binary", data: bytes };
          for (
            const [from, to, assembler] of [
              [clientSide, server, toServer],
              [server, clientSide, toClient],
            ] as const
          ) {
            const { event, wire } = transfer(from, to, opcode, bytes, fragmentSize, assembler);
            assert.deepEqual(event, expected);
            // RFC 7692 §6.1: RSV1 only ever on the first frame.
            assert.ok(wire.slice(1).every((frame) => frame.rsv === 0));
          }
        }
        server.close();
        clientSide.close();
      },
    ),
    { numRuns: 150 },
  );
});
