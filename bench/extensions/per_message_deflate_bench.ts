/**
 * permessage-deflate core: compress and inflate one JSON-like message with context takeover,
 * our synchronous extension against the `ws` package's `PerMessageDeflate` (callback-based zlib
 * streams) at equal settings (level 6, memLevel 8, 15-bit windows, threshold 0).
 *
 * ```sh
 * deno bench -A bench/extensions/per_message_deflate_bench.ts
 * ```
 *
 * @module
 */
import { createRequire } from "node:module";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import { OPCODE, parseExtensionHeader, RSV1 } from "../../src/protocol/mod.ts";
import { jsonMessages } from "./_payloads.ts";

// ws does not export PerMessageDeflate; load it beside the package's entry point.
const _require = createRequire(import.meta.url);
const PerMessageDeflate = createRequire(_require.resolve("ws"))("./lib/permessage-deflate.js");

interface WsDeflate {
  accept(offers: unknown[]): unknown;
  compress(
    data: Uint8Array,
    fin: boolean,
    callback: (error: unknown, out: Uint8Array) => void,
  ): void;
  decompress(
    data: Uint8Array,
    fin: boolean,
    callback: (error: unknown, out: Uint8Array) => void,
  ): void;
}

function ours() {
  const factory = perMessageDeflate({ threshold: 0 });
  const server = factory.accept(parseExtensionHeader("permessage-deflate"))!.extension;
  const client = perMessageDeflate({ threshold: 0 }).accepted(
    parseExtensionHeader("permessage-deflate")[0]!,
  );
  return { server, client };
}

function theirs(): { server: WsDeflate; client: WsDeflate } {
  const Ctor = PerMessageDeflate as unknown as new (
    options: object,
    isServer: boolean,
    maxPayload: number,
  ) => WsDeflate;
  const server = new Ctor({ threshold: 0 }, true, 0);
  const client = new Ctor({ threshold: 0 }, false, 0);
  server.accept([{}]);
  client.accept([{}]);
  return { server, client };
}

const run = (ws: WsDeflate, method: "compress" | "decompress", data: Uint8Array) =>
  new Promise<Uint8Array>((resolve, reject) =>
    ws[method](data, true, (error, out) => error ? reject(error) : resolve(out))
  );

for (const size of [1024, 16 * 1024]) {
  const label = `${size / 1024} KiB`;
  const messages = jsonMessages(size, 64);
  const a = ours();
  const b = theirs();
  // Compressed forms, produced once by each sender with context takeover, replayed in order.
  const oursWire = messages.map((m) => a.client.encode(OPCODE.TEXT, m).payload.slice());
  const wsWire: Uint8Array[] = [];
  for (const m of messages) wsWire.push(await run(b.client, "compress", m));
  let i = 0;
  let j = 0;

  Deno.bench(`aero deflate ${label}`, { group: `deflate ${label}`, baseline: true }, () => {
    a.server.encode(OPCODE.TEXT, messages[i++ % messages.length]!);
  });
  Deno.bench(`ws deflate ${label}`, { group: `deflate ${label}` }, async () => {
    await run(b.server, "compress", messages[j++ % messages.length]!);
  });

  // Inflating needs the sender's sequence from the start: a fresh receiver per pass.
  Deno.bench(`aero inflate ${label}`, { group: `inflate ${label}`, baseline: true }, (t) => {
    const { server } = ours();
    t.start();
    for (const payload of oursWire) {
      server.decode({ fin: true, rsv: RSV1, opcode: OPCODE.TEXT, payload });
    }
    t.end();
    server.close();
  });
  Deno.bench(`ws inflate ${label}`, { group: `inflate ${label}` }, async (t) => {
    const { server } = theirs();
    t.start();
    for (const payload of wsWire) await run(server, "decompress", payload);
    t.end();
  });
}
