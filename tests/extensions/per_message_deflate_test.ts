import assert from "node:assert/strict";
import { inflateRawSync } from "node:zlib";
import {
  perMessageDeflate,
  type PerMessageDeflateExtension,
  type PerMessageDeflateOptions,
} from "../../src/extensions/mod.ts";
import {
  type ExtensionOffer,
  formatExtensionHeader,
  HandshakeError,
  parseExtensionHeader,
} from "../../src/protocol/mod.ts";
import { jsonLike, noise, OPCODE, transfer } from "./_helpers.ts";

const offers = (header: string): ExtensionOffer[] => parseExtensionHeader(header);
const answer = (
  server: PerMessageDeflateOptions,
  header: string,
): string | null => {
  const accepted = perMessageDeflate(server).accept(offers(header));
  accepted?.extension.close();
  return accepted === null ? null : formatExtensionHeader([accepted.response]);
};

Deno.test("perMessageDeflate accepts a bare offer with an empty response", () => {
  assert.equal(answer({}, "permessage-deflate"), "permessage-deflate");
});

Deno.test("perMessageDeflate answers each parameter the client requested", async (t) => {
  const cases: [PerMessageDeflateOptions, string, string | null][] = [
    [
      {},
      "permessage-deflate; server_no_context_takeover",
      "permessage-deflate; server_no_context_takeover",
    ],
    [
      {},
      "permessage-deflate; client_no_context_takeover",
      "permessage-deflate; client_no_context_takeover",
    ],
    [
      {},
      "permessage-deflate; server_max_window_bits=10",
      "permessage-deflate; server_max_window_bits=10",
    ],
    [{}, "permessage-deflate; client_max_window_bits", "permessage-deflate"],
    [
      {},
      "permessage-deflate; client_max_window_bits=12",
      "permessage-deflate; client_max_window_bits=12",
    ],
    [
      {},
      'permessage-deflate; client_max_window_bits="9"',
      "permessage-deflate; client_max_window_bits=9",
    ],
    [
      {},
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8",
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8",
    ],
    // Server policy.
    [
      { serverNoContextTakeover: true },
      "permessage-deflate",
      "permessage-deflate; server_no_context_takeover",
    ],
    [
      { clientNoContextTakeover: true },
      "permessage-deflate",
      "permessage-deflate; client_no_context_takeover",
    ],
    [
      { serverMaxWindowBits: 11 },
      "permessage-deflate",
      "permessage-deflate; server_max_window_bits=11",
    ],
    [
      { serverMaxWindowBits: 11 },
      "permessage-deflate; server_max_window_bits=9",
      "permessage-deflate; server_max_window_bits=9",
    ],
    [
      { serverMaxWindowBits: 11 },
      "permessage-deflate; server_max_window_bits=13",
      "permessage-deflate; server_max_window_bits=11",
    ],
    [
      { clientMaxWindowBits: 10 },
      "permessage-deflate; client_max_window_bits",
      "permessage-deflate; client_max_window_bits=10",
    ],
    [
      { clientMaxWindowBits: 10 },
      "permessage-deflate; client_max_window_bits=9",
      "permessage-deflate; client_max_window_bits=9",
    ],
    [{ clientMaxWindowBits: 10 }, "permessage-deflate", null],
  ];
  for (const [policy, offer, expected] of cases) {
    await t.step(`${JSON.stringify(policy)} ${offer}`, () => {
      assert.equal(answer(policy, offer), expected);
    });
  }
});

Deno.test("perMessageDeflate declines invalid offers and takes the first acceptable one", async (t) => {
  const invalid = [
    "permessage-deflate; foo",
    "permessage-deflate; foo=1",
    "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    "permessage-deflate; client_max_window_bits=10; client_max_window_bits=11",
    "permessage-deflate; server_max_window_bits",
    "permessage-deflate; server_max_window_bits=7",
    "permessage-deflate; server_max_window_bits=16",
    "permessage-deflate; server_max_window_bits=abc",
    "permessage-deflate; server_max_window_bits=100",
    "permessage-deflate; client_max_window_bits=0",
    "permessage-deflate; server_no_context_takeover=1",
    "permessage-deflate; client_no_context_takeover=true",
  ];
  for (const offer of invalid) {
    await t.step(`declines ${offer}`, () => assert.equal(answer({}, offer), null));
    await t.step(`falls back after ${offer}`, () => {
      assert.equal(
        answer({}, `${offer}, permessage-deflate; server_max_window_bits=12`),
        "permessage-deflate; server_max_window_bits=12",
      );
    });
  }
  await t.step("ignores offers for other extensions and matches names case-insensitively", () => {
    assert.equal(answer({}, "x-other, PerMessage-Deflate"), "permessage-deflate");
  });
  await t.step("takes the first of several valid offers", () => {
    assert.equal(
      answer({}, "permessage-deflate; server_max_window_bits=10, permessage-deflate"),
      "permessage-deflate; server_max_window_bits=10",
    );
  });
  await t.step("skips an offer that cannot be limited when the policy limits the client", () => {
    assert.equal(
      answer(
        { clientMaxWindowBits: 12 },
        "permessage-deflate, permessage-deflate; client_max_window_bits",
      ),
      "permessage-deflate; client_max_window_bits=12",
    );
  });
});

Deno.test("perMessageDeflate validates its options", () => {
  assert.throws(() => perMessageDeflate({ serverMaxWindowBits: 7 }), RangeError);
  assert.throws(() => perMessageDeflate({ clientMaxWindowBits: 16 }), RangeError);
  assert.throws(() => perMessageDeflate({ level: 10 }), RangeError);
  assert.throws(() => perMessageDeflate({ memLevel: 0 }), RangeError);
  assert.throws(() => perMessageDeflate({ threshold: -1 }), RangeError);
  assert.throws(() => perMessageDeflate({ maxCompressSize: -1 }), RangeError);
  assert.throws(() => perMessageDeflate({ maxCompressSize: 1.5 }), RangeError);
  assert.throws(
    () => perMessageDeflate().accept(offers("permessage-deflate"), { maxMessageSize: 0 }),
    RangeError,
  );
});

Deno.test("perMessageDeflate offers what the client options ask for", () => {
  const header = (options: PerMessageDeflateOptions) =>
    formatExtensionHeader(perMessageDeflate(options).offer());
  assert.equal(header({}), "permessage-deflate; client_max_window_bits");
  assert.equal(
    header({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 9,
    }),
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9",
  );
});

Deno.test("perMessageDeflate client rejects responses it did not offer or that are invalid", async (t) => {
  const cases: [PerMessageDeflateOptions, string][] = [
    [{}, "permessage-deflate; foo"],
    [{}, "permessage-deflate; server_no_context_takeover; server_no_context_takeover"],
    [{}, "permessage-deflate; client_max_window_bits"],
    [{}, "permessage-deflate; server_max_window_bits=16"],
    [{}, "permessage-deflate; server_max_window_bits"],
    [{ clientMaxWindowBits: 10 }, "permessage-deflate; client_max_window_bits=11"],
    [{ serverMaxWindowBits: 10 }, "permessage-deflate"],
    [{ serverMaxWindowBits: 10 }, "permessage-deflate; server_max_window_bits=12"],
    [{ serverNoContextTakeover: true }, "permessage-deflate"],
    [{}, "x-webkit-deflate-frame"],
  ];
  for (const [options, response] of cases) {
    await t.step(`${JSON.stringify(options)} rejects ${response}`, () => {
      assert.throws(
        () => perMessageDeflate(options).accepted(offers(response)[0]!),
        (error: unknown) =>
          error instanceof HandshakeError && /^Cannot open WebSocket/.test(error.message),
      );
    });
  }
  await t.step("accepts a server that limits its own window unasked", () => {
    const extension = perMessageDeflate().accepted(
      offers("permessage-deflate; server_max_window_bits=9")[0]!,
    );
    assert.equal(extension.agreement.inflateWindowBits, 9);
    extension.close();
  });
});

Deno.test("perMessageDeflate caps the connections holding a compression context", () => {
  const factory = perMessageDeflate({ maxContexts: 2 });
  const first = factory.accept(offers("permessage-deflate"))!;
  const second = factory.accept(offers("permessage-deflate"))!;
  assert.equal(factory.contexts, 2);
  const third = factory.accept(offers("permessage-deflate"))!;
  assert.equal(
    formatExtensionHeader([third.response]),
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  );
  assert.equal(factory.contexts, 2);
  first.extension.close();
  first.extension.close(); // idempotent
  assert.equal(factory.contexts, 1);
  const fourth = factory.accept(offers("permessage-deflate"))!;
  assert.equal(formatExtensionHeader([fourth.response]), "permessage-deflate");
  for (const { extension } of [second, third, fourth]) extension.close();
  assert.equal(factory.contexts, 0);
});

// Every client request × a set of server policies: negotiate, then use the result both ways with
// messages whose matches lie further back than the smallest windows allow.
Deno.test("perMessageDeflate negotiates and uses every parameter combination in both directions", () => {
  const bools = [false, true];
  const serverBits = [undefined, 8, 9, 12, 15];
  const clientBits = [undefined, 8, 10, 15];
  const policies: PerMessageDeflateOptions[] = [
    {},
    { serverNoContextTakeover: true },
    { clientNoContextTakeover: true },
    { serverMaxWindowBits: 10 },
    { clientMaxWindowBits: 9 },
    { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8 },
  ];
  const block = noise(1500, 7);
  const repeated = new Uint8Array([...block, ...block, ...jsonLike(2000)]);
  let combinations = 0;
  for (const policy of policies) {
    for (const sNct of bools) {
      for (const cNct of bools) {
        for (const sBits of serverBits) {
          for (const cBits of clientBits) {
            const request: PerMessageDeflateOptions = {
              serverNoContextTakeover: sNct,
              clientNoContextTakeover: cNct,
              threshold: 0,
              ...(sBits === undefined ? {} : { serverMaxWindowBits: sBits }),
              ...(cBits === undefined ? {} : { clientMaxWindowBits: cBits }),
            };
            const client = perMessageDeflate(request);
            const accepted = perMessageDeflate({ ...policy, threshold: 0 }).accept(client.offer());
            const label = `${JSON.stringify(policy)} ${formatExtensionHeader(client.offer())}`;
            if (accepted === null) {
              // Only a policy that limits clients declines, and only when the offer cannot be limited.
              assert.ok(policy.clientMaxWindowBits !== undefined, label);
              continue;
            }
            const server = accepted.extension;
            const clientSide = client.accepted(accepted.response);
            _checkAgreement(server, clientSide, request, label);
            for (let i = 0; i < 3; i++) {
              for (const [from, to] of [[clientSide, server], [server, clientSide]] as const) {
                const { event, wire } = transfer(from, to, OPCODE.BINARY, repeated, 1000);
                if (
                  from.agreement.compresses && (i === 0 || !from.agreement.deflateContextTakeover)
                ) {
                  // The stream stands alone: a strict inflater with the agreed window must take it.
                  const strict = inflateRawSync(
                    new Uint8Array([...wire.flatMap((f) => [...f.payload]), 0, 0, 0xff, 0xff]),
                    { windowBits: Math.max(9, from.agreement.deflateWindowBits), finishFlush: 2 },
                  );
                  assert.deepEqual(new Uint8Array(strict), repeated, label);
                }
                assert.deepEqual(event, { type: "binary", data: repeated }, label);
              }
            }
            server.close();
            clientSide.close();
            combinations++;
          }
        }
      }
    }
  }
  assert.ok(combinations > 400);
});

function _checkAgreement(
  server: PerMessageDeflateExtension,
  client: PerMessageDeflateExtension,
  request: PerMessageDeflateOptions,
  label: string,
): void {
  const s = server.agreement;
  const c = client.agreement;
  // Each compressor stays within what its peer's decompressor was told.
  assert.ok(c.deflateWindowBits <= s.inflateWindowBits, label);
  assert.ok(s.deflateWindowBits <= c.inflateWindowBits, label);
  if (c.deflateContextTakeover) assert.ok(s.inflateContextTakeover, label);
  if (s.deflateContextTakeover) assert.ok(c.inflateContextTakeover, label);
  if (request.serverNoContextTakeover) assert.equal(s.deflateContextTakeover, false, label);
  if (request.clientNoContextTakeover) assert.equal(c.deflateContextTakeover, false, label);
  if (request.serverMaxWindowBits !== undefined) {
    assert.ok(s.deflateWindowBits <= request.serverMaxWindowBits, label);
  }
  if (request.clientMaxWindowBits !== undefined) {
    assert.ok(c.deflateWindowBits <= request.clientMaxWindowBits, label);
  }
  assert.equal(s.compresses, s.deflateWindowBits > 8, label);
}

Deno.test("perMessageDeflate sends messages below the threshold uncompressed", () => {
  const factory = perMessageDeflate({ threshold: 100 });
  const { extension } = factory.accept(offers("permessage-deflate"))!;
  assert.equal(extension.encode(OPCODE.TEXT, jsonLike(99)).rsv, 0);
  assert.equal(extension.encode(OPCODE.TEXT, jsonLike(100)).rsv, 0b100);
  assert.equal(extension.encode(OPCODE.TEXT, new Uint8Array(0)).rsv, 0);
  extension.close();
});

Deno.test("perMessageDeflate sends messages above maxCompressSize uncompressed, in step with the peer", () => {
  for (const takeover of [true, false]) {
    const client = perMessageDeflate({ threshold: 0, serverNoContextTakeover: !takeover });
    const accepted = perMessageDeflate({ threshold: 0, maxCompressSize: 3000 }).accept(
      client.offer(),
    )!;
    const server = accepted.extension;
    const clientSide = client.accepted(accepted.response);
    assert.equal(server.agreement.deflateContextTakeover, takeover);
    // Compressed, over the limit (sent as it is), compressed again: with context takeover the
    // third message refers back to the first, which the peer's window must still hold.
    const messages = [jsonLike(3000, 1), jsonLike(3001, 2), jsonLike(3000, 1), jsonLike(2000, 3)];
    const rsvs = [];
    for (const message of messages) {
      const { event, wire } = transfer(server, clientSide, OPCODE.BINARY, message);
      rsvs.push(wire[0]!.rsv);
      assert.deepEqual(event, { type: "binary", data: message }, `takeover ${takeover}`);
    }
    assert.deepEqual(rsvs, [0b100, 0, 0b100, 0b100], `takeover ${takeover}`);
    server.close();
    clientSide.close();
  }
});
