/**
 * The memory floor of an idle WebSocket connection on Deno, for comparing memory per idle
 * connection: not a usable server. It answers the upgrade without checking it, then keeps exactly
 * one pending `conn.read` into a 256-byte buffer per connection, as every Deno server that reads a
 * socket must (Deno has no readiness API: a connection is watched by a read in flight). The request
 * head is read into 1 KiB (a longer one is refused by closing), so that it leaves little garbage.
 * It never answers a frame; `wsload connect` does not send one.
 *
 * ```sh
 * deno run -A bench/e2e/servers/deno_idle_floor.ts --port 8081 &
 * ../shared/tools/wsload/wsload connect -u ws://127.0.0.1:8081/ -c 10000 --hold 3 --server-pid PID
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "8081" },
    hostname: { type: "string", default: "127.0.0.1" },
  },
});

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function handle(conn: Deno.Conn): Promise<void> {
  const head = new Uint8Array(1024);
  let have = 0;
  for (;;) {
    if (have === head.length) return;
    const n = await conn.read(head.subarray(have));
    if (n === null) return;
    have += n;
    const text = decoder.decode(head.subarray(0, have));
    if (!text.includes("\r\n\r\n")) continue;
    const key = /sec-websocket-key:\s*(\S+)/i.exec(text)?.[1] ?? "";
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    const response = encoder.encode(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    for (let written = 0; written < response.length;) {
      written += await conn.write(response.subarray(written));
    }
    break;
  }
  const idle = new Uint8Array(256);
  while ((await conn.read(idle)) !== null) {
    // Whatever arrives is dropped.
  }
}

const listener = Deno.listen({ port: Number(values.port), hostname: values.hostname });
console.log(`ws://${values.hostname}:${listener.addr.port}/`);
for await (const conn of listener) {
  handle(conn).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  });
}
