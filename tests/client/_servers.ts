// Test servers for the client: a Deno.serve + Deno.upgradeWebSocket echo server (an
// implementation AeroSocket did not write) and a raw TCP server that answers the handshake with
// whatever bytes a test wants.
import { computeAcceptKey, encodeFrame, OPCODE } from "../../src/protocol/mod.ts";

/** What the echo server saw when a socket closed. */
export interface ServerClose {
  code: number;
  reason: string;
}

/** A running echo server. */
export interface EchoServer extends AsyncDisposable {
  port: number;
  /** Close events seen by the server, in order. */
  closes: ServerClose[];
  /** Resolves with the next close event the server sees. */
  nextClose(): Promise<ServerClose>;
  /** Request headers of the last upgrade request. */
  lastHeaders: Headers | undefined;
}

/** Options for {@linkcode startEchoServer}. */
export interface EchoServerOptions {
  hostname?: string;
  cert?: string;
  key?: string;
}

/**
 * Starts an echo server. Paths: `/403` refuses with a text body; `/chunked` refuses with a
 * streamed (chunked) body; `/close?code=&reason=` closes right after opening; `?protocol=x`
 * chooses subprotocol `x`; anything else echoes every message unchanged.
 */
export function startEchoServer(options: EchoServerOptions = {}): EchoServer {
  const closes: ServerClose[] = [];
  let waiters: ((close: ServerClose) => void)[] = [];
  const state: EchoServer = {
    port: 0,
    closes,
    lastHeaders: undefined,
    nextClose: () => new Promise((resolve) => waiters.push(resolve)),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  const tls = options.cert === undefined ? {} : { cert: options.cert, key: options.key! };
  const server = Deno.serve(
    { hostname: options.hostname ?? "127.0.0.1", port: 0, onListen() {}, ...tls },
    (request) => {
      const url = new URL(request.url);
      if (url.pathname === "/403") return new Response("forbidden here", { status: 403 });
      if (url.pathname === "/chunked") {
        const body = ReadableStream.from(["chunk one, ", "chunk two"]).pipeThrough(
          new TextEncoderStream(),
        );
        return new Response(body, { status: 401, headers: { "x-reason": "token" } });
      }
      state.lastHeaders = new Headers(request.headers);
      const protocol = url.searchParams.get("protocol") ?? undefined;
      const { socket, response } = Deno.upgradeWebSocket(
        request,
        protocol === undefined ? {} : { protocol },
      );
      if (url.pathname === "/close") {
        const code = Number(url.searchParams.get("code") ?? 1000);
        const reason = url.searchParams.get("reason") ?? "";
        socket.onopen = () => socket.close(code, reason);
      } else {
        socket.onmessage = (event) => socket.send(event.data);
      }
      socket.onclose = (event) => {
        const close = { code: event.code, reason: event.reason };
        closes.push(close);
        const current = waiters;
        waiters = [];
        for (const waiter of current) waiter(close);
      };
      return response;
    },
  );
  state.port = server.addr.port;
  return state;
}

/** The parsed upgrade request a raw server received. */
export interface RawRequest {
  head: string;
  key: string;
  headers: Headers;
}

/** A raw TCP server; `handle` answers each connection. */
export interface RawServer extends AsyncDisposable {
  port: number;
}

const _encoder = new TextEncoder();

/**
 * Starts a raw TCP server on 127.0.0.1. For each connection it reads the request head and calls
 * `handle`; on dispose it closes the listener and every connection and waits for the handlers.
 */
export function startRawServer(
  handle: (conn: Deno.Conn, request: RawRequest) => Promise<void>,
): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      tasks.push(
        (async () => {
          try {
            const request = await readRequest(conn);
            if (request !== null) await handle(conn, request);
          } catch {
            // The client went away; nothing to check here.
          } finally {
            closeQuietly(conn);
          }
        })(),
      );
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of conns) closeQuietly(conn);
      await Promise.all(tasks);
    },
  };
}

/** Reads an HTTP request head from `conn`. */
export async function readRequest(conn: Deno.Conn): Promise<RawRequest | null> {
  let text = "";
  const buffer = new Uint8Array(4096);
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) return null;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  const head = text.slice(0, text.indexOf("\r\n\r\n"));
  const headers = new Headers();
  for (const line of head.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return { head, key: headers.get("sec-websocket-key") ?? "", headers };
}

/** A correct 101 head for `key`, plus `extra` header lines. */
export function upgradeHead(key: string, extra: string[] = []): string {
  return [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${computeAcceptKey(key)}`,
    ...extra,
    "",
    "",
  ].join("\r\n");
}

/** Writes all of `data` to `conn`. */
export async function writeAll(conn: Deno.Conn, data: string | Uint8Array): Promise<void> {
  let bytes = typeof data === "string" ? _encoder.encode(data) : data;
  while (bytes.length > 0) bytes = bytes.subarray(await conn.write(bytes));
}

/** An unmasked server frame. */
export function serverFrame(opcode: number, payload: string | Uint8Array): Uint8Array {
  const bytes = typeof payload === "string" ? _encoder.encode(payload) : payload;
  return encodeFrame({ fin: true, rsv: 0, opcode: opcode as 1, payload: bytes });
}

/** Waits for the client's close frame (any bytes, or EOF) and answers with close 1000. */
export async function answerClose(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  if ((await conn.read(buffer)) === null) return;
  await writeAll(conn, serverFrame(OPCODE.CLOSE, new Uint8Array([0x03, 0xe8])));
}

/** Waits until the client closes the connection. */
export async function waitForEof(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  while ((await conn.read(buffer)) !== null) {
    // Discard.
  }
}

/** Closes `conn`, ignoring an already closed resource. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
