// RFC 7692 §7.2.3 examples as wire bytes, decoded through FrameDecoder → extension → assembler,
// and the encoder's output compared with them.
import assert from "node:assert/strict";
import { OPCODE } from "../../src/protocol/mod.ts";
import { hex } from "./_helpers.ts";
import { clientExtension, receive } from "./_wire.ts";

const HELLO = { type: "text", data: "Hello" };

const VECTORS: [string, string, unknown[]][] = [
  // §7.2.3.1: one compressed DEFLATE block, in one frame and in two fragments.
  ["§7.2.3.1 one frame", "c1 07 f2 48 cd c9 c9 07 00", [HELLO]],
  ["§7.2.3.1 two fragments", "41 03 f2 48 cd 80 04 c9 c9 07 00", [HELLO]],
  // §7.2.3.2: the second message refers back to the first (context takeover).
  [
    "§7.2.3.2 shared LZ77 window",
    "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00",
    [HELLO, HELLO],
  ],
  // §7.2.3.3: a stored (uncompressed) DEFLATE block.
  ["§7.2.3.3 stored block", "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00", [HELLO]],
  // §7.2.3.4: BFINAL set, followed by a padding byte that must be ignored.
  ["§7.2.3.4 BFINAL block", "c1 08 f3 48 cd c9 c9 07 00 00", [HELLO]],
  // §7.2.3.5: two DEFLATE blocks in one message.
  [
    "§7.2.3.5 two blocks",
    "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00",
    [HELLO],
  ],
  // §7.2.3.6: the last fragment is an empty stored block, 0x00, and an empty message is 0x00.
  [
    "§7.2.3.6 empty final fragment",
    "41 0b f2 48 cd c9 c9 07 00 00 00 ff ff 80 01 00",
    [HELLO],
  ],
  ["§7.2.3.6 empty message", "c1 01 00", [{ type: "text", data: "" }]],
];

Deno.test("perMessageDeflate decodes the RFC 7692 §7.2.3 examples", async (t) => {
  for (const [name, wire, expected] of VECTORS) {
    await t.step(name, () => {
      const extension = clientExtension();
      const { events, error } = receive(extension, hex(wire));
      assert.equal(error, undefined);
      assert.deepEqual(events, expected);
      extension.close();
    });
  }
});

Deno.test("perMessageDeflate decodes the examples split at every byte", () => {
  for (const [name, wire, expected] of VECTORS) {
    const bytes = hex(wire);
    const splits: Uint8Array[][] = [[...bytes].map((byte) => new Uint8Array([byte]))];
    for (let cut = 1; cut < bytes.length; cut++) {
      splits.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
    }
    for (const [i, chunks] of splits.entries()) {
      const extension = clientExtension();
      const { events, error } = receive(extension, chunks);
      assert.equal(error, undefined, `${name} split ${i}`);
      assert.deepEqual(events, expected, `${name} split ${i}`);
      extension.close();
    }
  }
});

Deno.test("perMessageDeflate compresses 'Hello' to the RFC 7692 §7.2.3 bytes", () => {
  const server = clientExtension();
  const text = new TextEncoder().encode("Hello");
  // §7.2.3.1 and, with the window kept, §7.2.3.2's second message.
  assert.deepEqual(server.encode(OPCODE.TEXT, text), {
    payload: hex("f2 48 cd c9 c9 07 00"),
    rsv: 0b100,
  });
  assert.deepEqual(server.encode(OPCODE.TEXT, text), {
    payload: hex("f2 00 11 00 00"),
    rsv: 0b100,
  });
  server.close();
  // Without context takeover every message stands alone, and one that would not shrink is sent
  // as it is.
  const fresh = clientExtension("permessage-deflate; client_no_context_takeover");
  assert.deepEqual(fresh.encode(OPCODE.TEXT, text), { payload: text, rsv: 0 });
  const longer = new TextEncoder().encode("Hello Hello Hello Hello");
  const first = fresh.encode(OPCODE.TEXT, longer);
  assert.equal(first.rsv, 0b100);
  assert.deepEqual(fresh.encode(OPCODE.TEXT, longer), first);
  fresh.close();
});

Deno.test("perMessageDeflate without context takeover forgets the window between messages", () => {
  const extension = clientExtension("permessage-deflate; server_no_context_takeover");
  // §7.2.3.2's second message refers to the first one's window, which is gone.
  const { events, error } = receive(
    extension,
    hex("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00"),
  );
  assert.deepEqual(events, [HELLO]);
  assert.equal((error as { closeCode?: number }).closeCode, 1007);
  extension.close();
});

Deno.test("perMessageDeflate mixes compressed and uncompressed messages on one connection", () => {
  const extension = clientExtension();
  const wire = hex(
    "c1 07 f2 48 cd c9 c9 07 00" + // compressed "Hello"
      "81 05 48 65 6c 6c 6f" + // plain "Hello"
      "01 02 48 65 89 00 00 02 6c 6c 80 01 6f" + // plain in fragments, a ping between
      "c1 05 f2 00 11 00 00" + // compressed, referring to the first message
      "82 02 01 02", // plain binary
  );
  const { events, error } = receive(extension, wire);
  assert.equal(error, undefined);
  assert.deepEqual(events.filter((e) => e.type !== "ping"), [
    HELLO,
    HELLO,
    { type: "text", data: "Hello" },
    HELLO,
    { type: "binary", data: new Uint8Array([1, 2]) },
  ]);
  extension.close();
});
