// A runtime's built-in WebSocket client (Bun's, or Node's from undici), as a peer of our server for
// the interop test. Runs under Bun or Node (`node --experimental-websocket`), not Deno. Sends the
// messages stored in DIR (files named 000.text, 001.binary… in order, text as UTF-8) as soon as
// the socket opens, waits for as many messages back, then closes with 4001 and "bye ✓". Prints
// one line per event: "open <negotiated extensions>", "text <payload>", "binary <payload>",
// "close <code> <reason as UTF-8 hex> <wasClean>", or "error"/"timeout"; a payload is its bytes as
// hex up to 1,024 bytes, otherwise "sha256:<hex> length:<n>".
//
// Usage: bun tests/interop/_web_client.mjs ws://127.0.0.1:PORT/echo DIR [CA_PEM_FILE]
//        node --experimental-websocket tests/interop/_web_client.mjs ws://… DIR
// With wss://, Bun is given CA_PEM_FILE as the certificate to trust; Node takes it from
// NODE_EXTRA_CA_CERTS instead (its WebSocket has no TLS options).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

const [url, dir, ca] = process.argv.slice(2);
const files = readdirSync(dir).sort();

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
ws.onerror = () => console.log("error");
ws.onclose = (event) => {
  console.log(
    `close ${event.code} ${hex(new TextEncoder().encode(event.reason))} ${event.wasClean}`,
  );
  clearTimeout(timer);
  process.exit(0);
};
