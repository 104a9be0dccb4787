// A runtime's built-in WebSocket client (Bun's, or Node's from undici) as the peer of a server that
// shuts down: sends "go", then counts the messages "message 0", "message 1"… that arrive in order,
// until the server closes. Prints "received <count>" and "close <code> <wasClean>". Runs under Bun
// or Node (`node --experimental-websocket`), not Deno.
//
// Usage: bun tests/interop/_web_shutdown_client.mjs wss://127.0.0.1:PORT/ [CA_PEM_FILE]
// (Node takes the certificate to trust from NODE_EXTRA_CA_CERTS instead.)
import { readFileSync } from "node:fs";
import process from "node:process";

const [url, ca] = process.argv.slice(2);
const timer = setTimeout(() => {
  console.log("timeout");
  process.exit(1);
}, 60_000);

const ws = ca === undefined || typeof Bun === "undefined"
  ? new WebSocket(url)
  : new WebSocket(url, { tls: { ca: readFileSync(ca, "utf8") } });
let received = 0;
let outOfOrder = 0;
ws.onopen = () => ws.send("go");
ws.onmessage = (event) => {
  if (event.data === `message ${received}`) received++;
  else outOfOrder++;
};
ws.onerror = () => console.log("error");
ws.onclose = (event) => {
  console.log(`received ${received}`);
  if (outOfOrder > 0) console.log(`out of order ${outOfOrder}`);
  console.log(`close ${event.code} ${event.wasClean}`);
  clearTimeout(timer);
  process.exit(0);
};
