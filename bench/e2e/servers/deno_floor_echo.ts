/**
 * The I/O floor of a WebSocket echo server on Deno, for the end-to-end benchmark: not a usable
 * server, but the least any Deno server must do per read. It answers the upgrade without checking
 * it, then loops on `conn.read` into one reused buffer, unmasks every complete frame straight
 * into one reused output buffer and writes that with
 * `conn.write`: no streams, no per-message objects, no validation, no close handshake. Whatever
 * this reaches bounds every Deno WebSocket server on the same machine and load.
 *
 * Usage: deno run -A bench/e2e/servers/deno_floor_echo.ts [--port N] [--hostname H]
 *
 * @module
 */
import { acceptUpgrade, serveEach, serverAddress, writeAll } from "./_bare.ts";

async function handle(conn: Deno.Conn): Promise<void> {
  let input = new Uint8Array(64 * 1024);
  let output = new Uint8Array(64 * 1024);
  // The request head; what followed it stays at the start of `input`.
  const rest = await acceptUpgrade(conn, input);
  if (rest === null) return;
  let have = rest;
  for (;;) {
    let at = 0;
    let out = 0;
    // Complete masked frames: header, 4 mask bytes, payload; each unmasked into the output.
    for (;;) {
      if (have - at < 2) break;
      let length = input[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (have - at < 4) break;
        length = (input[at + 2]! << 8) | input[at + 3]!;
        header = 4;
      } else if (length === 127) {
        if (have - at < 10) break;
        length = Number(new DataView(input.buffer, at + 2, 8).getBigUint64(0));
        header = 10;
      }
      const size = header + 4 + length;
      if (size > input.length) {
        // A frame larger than the buffer: grow both buffers, keeping what was read.
        const grown = new Uint8Array(size * 2);
        grown.set(input.subarray(0, have));
        input = grown;
        if (output.length < size * 2) {
          const bigger = new Uint8Array(size * 2);
          bigger.set(output.subarray(0, out));
          output = bigger;
        }
        break;
      }
      if (have - at < size) break;
      if (out + size > output.length) break;
      output[out] = input[at]!;
      output.set(input.subarray(at + 2, at + header), out + 2);
      output[out + 1] = input[at + 1]! & 0x7f;
      const mask = at + header;
      const from = mask + 4;
      const to = out + header;
      for (let i = 0; i < length; i++) output[to + i] = input[from + i]! ^ input[mask + (i & 3)]!;
      if ((input[at]! & 0x0f) === 0x8) {
        await writeAll(conn, output.subarray(0, to + length));
        return;
      }
      out = to + length;
      at += size;
    }
    if (out > 0) await writeAll(conn, output.subarray(0, out));
    input.copyWithin(0, at, have);
    have -= at;
    const n = await conn.read(input.subarray(have));
    if (n === null) return;
    have += n;
  }
}

await serveEach(serverAddress("8080"), handle);
