// The extension framework: RFC 6455 §9.1 negotiation with several factories and offers.
import assert from "node:assert/strict";
import {
  acceptExtensionResponses,
  type Extension,
  type ExtensionFactory,
  negotiateExtensions,
  offerExtensions,
  perMessageDeflate,
} from "../../src/extensions/mod.ts";
import {
  formatExtensionHeader,
  HandshakeError,
  parseExtensionHeader,
} from "../../src/protocol/mod.ts";

/** A parameterless extension claiming `rsv`, counting open instances. */
function fake(name: string, rsv: number, open = { count: 0 }): ExtensionFactory {
  const make = (): Extension => {
    open.count++;
    let closed = false;
    return {
      name,
      rsv,
      decode: (frame) => frame,
      encode: (_opcode, payload) => ({ payload, rsv: 0 }),
      close() {
        if (!closed) open.count--;
        closed = true;
      },
    };
  };
  return {
    name,
    rsv,
    accept: (offers) =>
      offers.length > 0 ? { response: { name, params: [] }, extension: make() } : null,
    offer: () => [{ name, params: [] }],
    accepted: (response) => {
      if (response.params.length > 0) {
        throw new HandshakeError(101, "Cannot open WebSocket: params");
      }
      return make();
    },
  };
}

const header = (value: string) => parseExtensionHeader(value);

Deno.test("negotiateExtensions parses several offers with quoted values and whitespace", () => {
  const result = negotiateExtensions(
    [perMessageDeflate()],
    header(
      'x-foo ,  permessage-deflate ;client_max_window_bits = "10" ; server_no_context_takeover,permessage-deflate',
    ),
  );
  assert.equal(
    formatExtensionHeader(result.responses),
    "permessage-deflate; server_no_context_takeover; client_max_window_bits=10",
  );
  assert.equal(result.rsv, 0b100);
  for (const extension of result.extensions) extension.close();
});

Deno.test("negotiateExtensions accepts at most one configuration per extension, in server order", () => {
  const open = { count: 0 };
  const result = negotiateExtensions(
    [fake("x-b", 0b010, open), perMessageDeflate(), fake("x-c", 0b100, open)],
    header("permessage-deflate, permessage-deflate, x-c, x-b, x-b"),
  );
  // x-c claims RSV1, already taken by permessage-deflate, so it is skipped.
  assert.deepEqual(result.responses.map((r) => r.name), ["x-b", "permessage-deflate"]);
  assert.equal(result.rsv, 0b110);
  for (const extension of result.extensions) extension.close();
  assert.equal(open.count, 0);
});

Deno.test("negotiateExtensions answers nothing for unknown or declined offers", () => {
  const result = negotiateExtensions(
    [perMessageDeflate()],
    header("x-unknown, permessage-deflate; bogus"),
  );
  assert.deepEqual(result, { responses: [], extensions: [], rsv: 0 });
});

Deno.test("negotiateExtensions closes what it created when a later factory throws", () => {
  const open = { count: 0 };
  const failing: ExtensionFactory = {
    ...fake("x-fail", 0, open),
    accept: () => {
      throw new HandshakeError(400, "Cannot accept: bad offer");
    },
  };
  assert.throws(
    () => negotiateExtensions([fake("x-a", 0b010, open), failing], header("x-a, x-fail")),
    HandshakeError,
  );
  assert.equal(open.count, 0);
});

Deno.test("acceptExtensionResponses fails what was never offered, twice accepted or bad", async (t) => {
  const open = { count: 0 };
  const factories = [fake("x-a", 0b010, open), perMessageDeflate()];
  const cases = [
    "x-never-offered",
    "x-a, x-a",
    "permessage-deflate, permessage-deflate",
    "x-a, permessage-deflate; unknown_param",
    "x-a; p=1",
    "permessage-deflate; client_max_window_bits",
  ];
  for (const response of cases) {
    await t.step(response, () => {
      assert.throws(
        () => acceptExtensionResponses(factories, header(response)),
        (error: unknown) => error instanceof HandshakeError && error.status === 101,
      );
      assert.equal(open.count, 0);
    });
  }
  await t.step("an answer in another order than offered is accepted", () => {
    const agreed = acceptExtensionResponses(factories, header("permessage-deflate, x-a"));
    assert.deepEqual(agreed.extensions.map((e) => e.name), ["permessage-deflate", "x-a"]);
    assert.equal(agreed.rsv, 0b110);
    for (const extension of agreed.extensions) extension.close();
  });
  await t.step("an empty answer agrees on nothing", () => {
    assert.deepEqual(acceptExtensionResponses(factories, []).extensions, []);
  });
  assert.equal(
    formatExtensionHeader(offerExtensions(factories)),
    "x-a, permessage-deflate; client_max_window_bits",
  );
});
