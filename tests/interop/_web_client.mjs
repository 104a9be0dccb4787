// A runtime's built-in WebSocket client (Bun's, or Node's from undici), as a peer of our server for
// the interop tests. Runs under Bun or Node (`node --experimental-websocket`), not Deno. Two modes,
// each printing one line per event:
//
//   echo URL DIR [CA_PEM_FILE]   sends the messages stored in DIR (files named 000.text,
//                                001.binary… in order, text as UTF-8) as soon as the socket opens,
//                                waits for as many messages back, then closes with 4001 and
//                                "bye ✓". Prints "open <negotiated extensions>", "text <payload>",
//                                "binary <payload>", "close <code> <reason as UTF-8 hex>
//                                <wasClean>"; a payload is its bytes as hex up to 1,024 bytes,
//                                otherwise "sha256:<hex> length:<n>".
//   shutdown URL [CA_PEM_FILE]   sends "go", then counts the messages "message 0", "message 1"…
//                                that arrive in order until the server closes. Prints
//                                "received <count>" and "close <code> <wasClean>".
//
// Either may print "error" or "timeout". With wss://, Bun is given CA_PEM_FILE as the certificate
// to trust; Node takes it from NODE_EXTRA_CA_CERTS instead (its WebSocket has no TLS options).
//
// Usage: bun tests/interop/_web_client.mjs echo ws://127.0.0.1:PORT/echo DIR [CA_PEM_FILE]
//        node --experimental-websocket tests/interop/_web_client.mjs shutdown ws://…
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

const [mode, url, ...rest] = process.argv.slice(2);
if (mode !== "echo" && mode !== "shutdown") {
  console.log(`unknown mode ${mode}`);
  process.exit(2);
}
const dir = mode === "echo" ? rest.shift() : undefined;
const [ca] = rest;

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function payload(bytes) {
  if (bytes.length <= 1024) return hex(bytes);
  return `sha256:${createHash("sha256").update(bytes).digest("hex")} length:${bytes.length}`;
}

const timer = setTimeout(() => {
  console.log("timeout");
  process.exit(1);
}, 60_000);

// Bun's constructor takes an options object (with `tls`) where the standard one takes protocols.
const ws = ca === undefined || typeof Bun === "undefined"
  ? new WebSocket(url)
  : new WebSocket(url, { tls: { ca: readFileSync(ca, "utf8") } });
ws.binaryType = "arraybuffer";
ws.onerror = () => console.log("error");

function end(line) {
  console.log(line);
  clearTimeout(timer);
  process.exit(0);
}

if (mode === "echo") {
  const files = readdirSync(dir).sort();
  let received = 0;
  ws.onopen = () => {
    console.log(`open ${ws.extensions}`);
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(`${dir}/${file}`));
      ws.send(file.endsWith(".text") ? new TextDecoder().decode(bytes) : bytes);
    }
    if (files.length === 0) ws.close(4001, "bye \u2713");
  };
  ws.onmessage = (event) => {
    if (typeof event.data === "string") {
      console.log(`text ${payload(new TextEncoder().encode(event.data))}`);
    } else {
      console.log(`binary ${payload(new Uint8Array(event.data))}`);
    }
    if (++received === files.length) ws.close(4001, "bye \u2713");
  };
  ws.onclose = (event) =>
    end(`close ${event.code} ${hex(new TextEncoder().encode(event.reason))} ${event.wasClean}`);
} else {
  let received = 0;
  let outOfOrder = 0;
  ws.onopen = () => ws.send("go");
  ws.onmessage = (event) => {
    if (event.data === `message ${received}`) received++;
    else outOfOrder++;
  };
  ws.onclose = (event) => {
    console.log(`received ${received}`);
    if (outOfOrder > 0) console.log(`out of order ${outOfOrder}`);
    end(`close ${event.code} ${event.wasClean}`);
  };
}
