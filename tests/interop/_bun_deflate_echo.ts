// Echo servers on Bun's built-in WebSocket server with permessage-deflate, for the client interop
// test. Runs under Bun, not Deno. Prints two URLs, one line each: Bun's default shared compressor
// (it answers with both *_no_context_takeover parameters) and dedicated compressors (context
// takeover both ways).
//
// Usage: bun tests/interop/_bun_deflate_echo.ts
// deno-lint-ignore-file no-explicit-any
declare const Bun: any;

function start(perMessageDeflate: unknown) {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request: Request, server: any) {
      if (server.upgrade(request)) return undefined;
      return new Response("expected a WebSocket upgrade\n", { status: 426 });
    },
    websocket: {
      perMessageDeflate,
      // Large enough for the test's biggest message.
      maxPayloadLength: 16 * 1024 * 1024,
      message(socket: any, message: string | Uint8Array) {
        // Bun compresses a message only when asked to.
        socket.send(message, true);
      },
      close() {},
    },
  });
}

const shared = start(true);
const dedicated = start({ compress: "dedicated", decompress: "dedicated" });
console.log(`ws://127.0.0.1:${shared.port}/`);
console.log(`ws://127.0.0.1:${dedicated.port}/`);
