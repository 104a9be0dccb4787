/**
 * A minimal load client for the compression benchmark: raw TCP, a hand-written upgrade request
 * and pre-built masked frames, so that nearly all CPU goes to the server under test. Echoes are
 * counted by reading frame headers only; their payloads are skipped, never inflated.
 *
 * @module
 */
import { encodeFrame, generateKey, OPCODE, RSV1 } from "../../src/protocol/mod.ts";

/** A connected client after a successful upgrade. */
export interface RawClient {
  conn: Deno.TcpConn;
  /** The server's Sec-WebSocket-Extensions answer ("" when none). */
  extensions: string;
  /** Bytes that followed the response head. */
  rest: Uint8Array;
}

/** Opens a connection and upgrades it, offering `offer` (or nothing). */
export async function rawConnect(port: number, offer: string | undefined): Promise<RawClient> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const head = [
    "GET / HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${generateKey()}`,
    "Sec-WebSocket-Version: 13",
    ...(offer === undefined ? [] : [`Sec-WebSocket-Extensions: ${offer}`]),
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(head));
  let received = new Uint8Array(0);
  const buffer = new Uint8Array(16 * 1024);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("Cannot upgrade: the server closed the connection");
    received = new Uint8Array([...received, ...buffer.subarray(0, n)]);
    const text = new TextDecoder().decode(received);
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) continue;
    if (!text.startsWith("HTTP/1.1 101")) throw new Error(`Cannot upgrade: ${text.slice(0, 40)}`);
    const match = /^sec-websocket-extensions:\s*(.*)$/im.exec(text.slice(0, end));
    return {
      conn,
      extensions: match?.[1]?.trim() ?? "",
      rest: received.subarray(new TextEncoder().encode(text.slice(0, end + 4)).length),
    };
  }
}

/** One masked text frame (RSV1 when `compressed`), ready to write again and again. */
export function clientFrame(payload: Uint8Array, compressed: boolean): Uint8Array {
  return encodeFrame(
    { fin: true, rsv: compressed ? RSV1 : 0, opcode: OPCODE.TEXT, payload },
    { mask: true },
  );
}

/**
 * Counts complete unmasked frames (and their payload bytes, in `payloadBytes`) in a byte stream
 * that arrives in arbitrary chunks, reading headers only.
 */
export function createFrameCounter(): { push(chunk: Uint8Array): number; payloadBytes: number } {
  const header = new Uint8Array(14);
  let have = 0; // header bytes collected
  let skip = 0; // payload bytes still to skip
  const counter = {
    payloadBytes: 0,
    push(chunk: Uint8Array): number {
      let frames = 0;
      let pos = 0;
      while (pos < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - pos);
          skip -= n;
          pos += n;
          if (skip === 0) frames++;
          continue;
        }
        header[have++] = chunk[pos++]!;
        if (have < 2) continue;
        const short = header[1]! & 0x7f;
        const need = short === 126 ? 4 : short === 127 ? 10 : 2;
        if (have < need) continue;
        const view = new DataView(header.buffer);
        skip = short === 126
          ? view.getUint16(2)
          : short === 127
          ? Number(view.getBigUint64(2))
          : short;
        have = 0;
        counter.payloadBytes += skip;
        if (skip === 0) frames++;
      }
      return frames;
    },
  };
  return counter;
}
