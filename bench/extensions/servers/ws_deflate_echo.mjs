// Echo server for the compression benchmark: the `ws` package with perMessageDeflate at its
// defaults (level 6, memLevel 8, 15-bit windows, threshold 1024), under Node or Deno.
//
// Usage: node|deno run -A bench/extensions/servers/ws_deflate_echo.mjs <port> <path to ws> [deflate|plain]
import { createRequire } from "node:module";
import process from "node:process";

const [port, wsPath, mode] = process.argv.slice(2);
const { WebSocketServer } = createRequire(import.meta.url)(wsPath);
const server = new WebSocketServer({
  host: "127.0.0.1",
  port: Number(port),
  perMessageDeflate: mode === "plain" ? false : { threshold: 1024 },
});
server.on("listening", () => console.log("ready"));
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});
