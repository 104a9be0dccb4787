// AeroSocket's server, either engine, as the peer of clients we did not write. What it does per
// connection depends on the request path:
//   /echo (or anything else)   echoes every message unchanged
//   /close?code=&reason=       closes at once with that code and reason
//   /ping?data=                sends a ping with that data at once, then echoes
import { serve, type ServeOptions, type Server } from "../../src/server/mod.ts";
import type { CloseInfo, WebSocketConnection } from "../../src/connection/mod.ts";
import type { Message } from "../../src/protocol/mod.ts";
import { Mailbox } from "./_util.ts";

/** The two server engines. */
export type Engine = "streams" | "native";
/** Both engines, for tests that run against each. */
export const ENGINES: readonly Engine[] = ["streams", "native"];

/** A running server and what it observed. */
export interface OurServer extends AsyncDisposable {
  server: Server;
  /** `ws://127.0.0.1:<port>` (no trailing slash). */
  wsBase: string;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  httpBase: string;
  /** Every connection the handler was given, in order. */
  connections: Mailbox<WebSocketConnection>;
  /** Every message received, on any connection, in order. */
  received: Mailbox<Message>;
  /** How each connection ended, in the order they ended. */
  closes: Mailbox<CloseInfo>;
  /** What `conn.ping()` returned on each `/ping` connection. */
  pings: Mailbox<boolean>;
}

/** Starts our server on 127.0.0.1 with a free port. `options` override the test defaults. */
export function startOurServer(
  engine: Engine,
  options: Partial<ServeOptions> = {},
): OurServer {
  const connections = new Mailbox<WebSocketConnection>();
  const received = new Mailbox<Message>();
  const closes = new Mailbox<CloseInfo>();
  const pings = new Mailbox<boolean>();
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    engine,
    // 16 MiB messages are echoed while others may be queued: room for two of them.
    maxBufferedAmount: 64 * 1024 * 1024,
    closeTimeout: 3_000,
    shutdownTimeout: 2_000,
    ...options,
  }, async (conn) => {
    connections.push(conn);
    conn.closed.then((info) => closes.push(info));
    const url = new URL(conn.info.url ?? "http://invalid/");
    if (url.pathname === "/close") {
      conn.close(Number(url.searchParams.get("code")), url.searchParams.get("reason") ?? "");
      return;
    }
    if (url.pathname === "/ping") pings.push(conn.ping(url.searchParams.get("data") ?? ""));
    for await (const message of conn) {
      received.push(message);
      conn.send(message.data);
    }
  });
  const { port } = server.addr;
  return {
    server,
    wsBase: `ws://127.0.0.1:${port}`,
    httpBase: `http://127.0.0.1:${port}`,
    connections,
    received,
    closes,
    pings,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
