// A secured echo server on 127.0.0.1 for either engine. On open it sends one text message with
// what the server saw: `{ protocol, data }`; then it echoes.
import { connect } from "../../src/client/mod.ts";
import type { ConnectOptions } from "../../src/client/connect_options.ts";
import type { WebSocketConnection } from "../../src/connection/websocket_connection.ts";
import type { Security } from "../../src/security/security.ts";
import { serve, type ServeOptions } from "../../src/server/mod.ts";

/** Both server engines. */
export const ENGINES = ["streams", "native"] as const;

/** A running secured server. */
export interface SecuredServer extends AsyncDisposable {
  /** `ws://127.0.0.1:<port>`. */
  base: string;
  port: number;
  /** Connections accepted by the server, as the handler saw them. */
  accepted: WebSocketConnection<unknown>[];
}

/** Starts a secured echo server. */
export function startServer(
  engine: "streams" | "native",
  security: Security,
  options: Partial<ServeOptions<unknown>> = {},
): SecuredServer {
  const accepted: WebSocketConnection<unknown>[] = [];
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    engine,
    security,
    keepalive: { pingInterval: 0, idleTimeout: 0 },
    ...options,
  }, async (conn) => {
    accepted.push(conn);
    conn.sendJson({ protocol: conn.info.protocol, data: conn.data ?? null });
    for await (const message of conn) conn.send(message.data);
  });
  return {
    base: `ws://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    accepted,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Opens a client and reads the server's greeting. */
export async function open(
  url: string,
  options: ConnectOptions = {},
): Promise<{ conn: WebSocketConnection; greeting: { protocol: string; data: unknown } }> {
  const conn = await connect(url, { handshakeTimeout: 5_000, ...options });
  const iterator = conn[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.type !== "text") throw new Error("Cannot read greeting");
  return { conn, greeting: JSON.parse(first.value.data) };
}

/** The status and headers of a refused handshake (throws if the upgrade succeeded). */
export async function refusal(
  url: string,
  options: ConnectOptions = {},
): Promise<{ status: number; headers: Headers }> {
  try {
    const conn = await connect(url, { handshakeTimeout: 5_000, ...options });
    conn.close();
    await conn.closed;
  } catch (error) {
    const refused = error as { status?: number; headers?: Headers };
    if (typeof refused.status === "number") {
      return { status: refused.status, headers: refused.headers ?? new Headers() };
    }
    throw error;
  }
  throw new Error("Expected the handshake to be refused");
}
