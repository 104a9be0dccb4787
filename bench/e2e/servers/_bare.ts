/**
 * What the bench-only floor servers share: their address from the command line, an opening
 * handshake answered without checking the request, and an accept loop. Not a usable server.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The address to listen on: `--port` (default `port`) and `--hostname` (default 127.0.0.1). */
export function serverAddress(port: string): { port: number; hostname: string } {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: port },
      hostname: { type: "string", default: "127.0.0.1" },
    },
  });
  return { port: Number(values.port), hostname: values.hostname };
}

/** Writes all of `bytes` (`conn.write` may write part of them). */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let n = 0; n < bytes.length;) n += await conn.write(bytes.subarray(n));
}

/**
 * Reads the request head into `buffer` and answers 101 with the `Sec-WebSocket-Accept` of its
 * key, checking nothing else. Resolves with how many bytes that followed the head are now at the
 * start of `buffer`, or `null` when the connection ended or the head did not fit.
 */
export async function acceptUpgrade(conn: Deno.Conn, buffer: Uint8Array): Promise<number | null> {
  let have = 0;
  for (;;) {
    if (have === buffer.length) return null;
    const n = await conn.read(buffer.subarray(have));
    if (n === null) return null;
    have += n;
    const head = decoder.decode(buffer.subarray(0, have));
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) continue;
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? "";
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    await writeAll(
      conn,
      encoder.encode(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      ),
    );
    buffer.copyWithin(0, end + 4, have);
    return have - (end + 4);
  }
}

/**
 * Listens on `address`, prints its URL, and runs `handle` on every connection, closing the
 * connection once `handle` is done (a failure ends only that connection).
 */
export async function serveEach(
  address: { port: number; hostname: string },
  handle: (conn: Deno.Conn) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen(address);
  console.log(`ws://${address.hostname}:${listener.addr.port}/`);
  for await (const conn of listener) {
    handle(conn).catch(() => {}).finally(() => {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    });
  }
}
