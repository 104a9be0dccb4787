// Fan-out reference server on Node with the `ws` package: the broadcast loop from its README
// (every open client, `client.send(data, { binary })`). The connection that sends is taken out
// of the audience on its first message, as in the other fan-out servers. `ws` is installed into
// bench/e2e/.node by the harness.
//
// Usage: node bench/messaging/servers/ws_fanout.mjs [--port N] [--hostname H]
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(new URL("../../e2e/.node/package.json", import.meta.url));
const { WebSocket, WebSocketServer } = require("ws");

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
const audience = new Set();
server.on("listening", () => console.log(`ws fan-out on ws://${values.hostname}:${values.port}/`));
server.on("connection", (socket) => {
  audience.add(socket);
  socket.on("close", () => audience.delete(socket));
  socket.on("message", (data, isBinary) => {
    audience.delete(socket);
    for (const client of audience) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});
