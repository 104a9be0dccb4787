// Bun's built-in WebSocket client, as a peer of our server for the interop test. Runs under Bun,
// not Deno. Sends the messages stored in DIR (files named 000.text, 001.binary… in order, text as
// UTF-8) as soon as the socket opens, waits for as many messages back, then closes with 4001 and
// "bye ✓". Prints one line per event: "open <negotiated extensions>", "text <payload>",
// "binary <payload>", "close <code> <reason as UTF-8 hex> <wasClean>", or "error"/"timeout"; a
// payload is its bytes as hex up to 1,024 bytes, otherwise "sha256:<hex> length:<n>".
//
// Usage: bun tests/interop/_bun_client.ts ws://127.0.0.1:PORT/echo DIR [CA_PEM_FILE]
// (with wss://, CA_PEM_FILE is the certificate to trust).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

const [url, dir, ca] = process.argv.slice(2) as [string, string, string | undefined];
const files = readdirSync(dir).sort();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function payload(bytes: Uint8Array): string {
  if (bytes.length <= 1024) return hex(bytes);
  return `sha256:${createHash("sha256").update(bytes).digest("hex")} length:${bytes.length}`;
}

const timer = setTimeout(() => {
  console.log("timeout");
  process.exit(1);
}, 60_000);

// Bun's constructor takes an options object (with `tls`) where the standard one takes protocols.
const BunWebSocket = WebSocket as unknown as new (url: string, options?: unknown) => WebSocket;
const ws = new BunWebSocket(url, ca === undefined ? {} : { tls: { ca: readFileSync(ca, "utf8") } });
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
    console.log(`binary ${payload(new Uint8Array(event.data as ArrayBuffer))}`);
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
