// Reference server for the end-to-end benchmark: an echo server on Node with the `ws` package,
// as its documentation shows it. The harness installs `ws` into bench/e2e/.node.
//
// Usage: node bench/e2e/servers/ws_echo.mjs [--port N] [--hostname H]
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(new URL("../.node/package.json", import.meta.url));
const { WebSocketServer } = require("ws");

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    hostname: { type: "string", default: "127.0.0.1" },
  },
});

const server = new WebSocketServer({
  port: Number(values.port),
  host: values.hostname,
  perMessageDeflate: false,
});
server.on("listening", () => console.log(`ws://${values.hostname}:${values.port}/`));
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});
