// Echo servers on Bun's built-in WebSocket server with permessage-deflate, for the client interop
// test. Runs under Bun, not Deno. Prints three URLs, one line each: Bun's default shared compressor
// (it answers with both *_no_context_takeover parameters), dedicated compressors (context
// takeover both ways), and the shared compressor over TLS (wss://, the tests' self-signed
// certificate).
//
// Usage: bun tests/interop/_bun_deflate_echo.ts
// deno-lint-ignore-file no-explicit-any
declare const Bun: any;

function start(perMessageDeflate: unknown, tls?: unknown) {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls,
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
// The shared compressor over TLS, with the tests' self-signed certificate for 127.0.0.1.
const fixtures = new URL("../fixtures/", import.meta.url);
const secure = start(true, {
  cert: Bun.file(new URL("cert.pem", fixtures).pathname),
  key: Bun.file(new URL("key.pem", fixtures).pathname),
});
console.log(`wss://127.0.0.1:${secure.port}/`);
