// Fan-out reference server on Bun: every connection subscribes to one topic and every message is
// broadcast with `server.publish` (Bun's built-in topics). The connection that sends leaves the
// topic on its first message, as in the other fan-out servers. Runs under Bun, not Deno.
//
// Usage: bun bench/messaging/servers/bun_fanout.ts [--port N] [--hostname H]
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

const TOPIC = "bench";
const server = Bun.serve({
  port: Number(values.port),
  hostname: values.hostname,
  fetch(request: Request, server: any) {
    if (server.upgrade(request, { data: { sender: false } })) return undefined;
    return new Response("expected a WebSocket upgrade\n", { status: 426 });
  },
  websocket: {
    perMessageDeflate: false,
    open(socket: any) {
      socket.subscribe(TOPIC);
    },
    message(socket: any, message: string | Uint8Array) {
      if (!socket.data.sender) {
        socket.data.sender = true;
        socket.unsubscribe(TOPIC);
      }
      server.publish(TOPIC, message);
    },
  },
});
console.log(`bun fan-out on ws://${server.hostname}:${server.port}/`);
