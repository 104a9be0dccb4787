// Reference server for the end-to-end benchmark: an echo server on Bun's built-in WebSocket
// server (`Bun.serve` with a `websocket` handler). Runs under Bun, not Deno.
//
// Usage: bun bench/e2e/servers/bun_echo.ts [--port N] [--hostname H]
// deno-lint-ignore-file no-explicit-any
import { parseArgs } from "node:util";

declare const Bun: any;

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    port: { type: "string", default: "8080" },
    hostname: { type: "string", default: "127.0.0.1" },
  },
});

const server = Bun.serve({
  port: Number(values.port),
  hostname: values.hostname,
  fetch(request: Request, server: any) {
    if (server.upgrade(request)) return undefined;
    return new Response("expected a WebSocket upgrade\n", { status: 426 });
  },
  websocket: {
    perMessageDeflate: false,
    message(socket: any, message: string | Uint8Array) {
      socket.send(message);
    },
  },
});
console.log(`ws://${server.hostname}:${server.port}/`);
