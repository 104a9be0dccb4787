// Echo server for the compression benchmark: AeroSocket's streams engine with permessage-deflate
// at the settings ws uses by default (level 6, memLevel 8, 15-bit windows, threshold 1024).
//
// Usage: deno run -A bench/extensions/servers/aero_deflate_echo.ts <port> [deflate|plain]
import { perMessageDeflate } from "../../../src/extensions/mod.ts";
import { serve } from "../../../src/server/mod.ts";

const port = Number(Deno.args[0]);
const deflate = Deno.args[1] !== "plain";
serve({
  hostname: "127.0.0.1",
  port,
  extensions: deflate ? [perMessageDeflate({ level: 6, memLevel: 8, threshold: 1024 })] : [],
  onListen: () => console.log("ready"),
}, async (conn) => {
  for await (const message of conn) conn.send(message.data);
});
