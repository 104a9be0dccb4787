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
import { acceptUpgrade, serveEach, serverAddress } from "./_bare.ts";

async function handle(conn: Deno.Conn): Promise<void> {
  if ((await acceptUpgrade(conn, new Uint8Array(1024))) === null) return;
  const idle = new Uint8Array(256);
  while ((await conn.read(idle)) !== null) {
    // Whatever arrives is dropped.
  }
}

await serveEach(serverAddress("8081"), handle);
