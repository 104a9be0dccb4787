/**
 * Harnesses for the two server engines of `serve()`: each session starts a server on 127.0.0.1
 * running the test's application code, and a {@linkcode RawPeer} connects over TCP, performs
 * the opening handshake by hand and then plays the client.
 *
 * @module
 */
import { serve, type Server } from "../../src/server/mod.ts";
import type { WebSocketConnection } from "../../src/connection/mod.ts";
import {
  computeAcceptKey,
  findHeadEnd,
  generateKey,
  parseResponseHead,
} from "../../src/protocol/mod.ts";
import type {
  App,
  Capabilities,
  ConnOptions,
  Harness,
  Listening,
  ListenOptions,
  Session,
} from "./_harness.ts";
import { disposeSession, runApp } from "./_connection_harness.ts";
import { RawPeer } from "./_raw_peer.ts";
import { withTimeout } from "./_timing.ts";

const _encoder = new TextEncoder();
const _LOCAL = { hostname: "127.0.0.1", port: 0 } as const;

/**
 * Upper bound on what loopback TCP buffers in one direction: the largest send buffer plus the
 * largest receive buffer the kernel may grow to (Linux autotuning limits), or 64 MiB elsewhere.
 */
export const TCP_BUFFER: number = _tcpBuffer();

function _tcpBuffer(): number {
  try {
    const max = (file: string) => Number(Deno.readTextFileSync(file).trim().split(/\s+/)[2]);
    const total = max("/proc/sys/net/ipv4/tcp_rmem") + max("/proc/sys/net/ipv4/tcp_wmem");
    return Number.isSafeInteger(total) && total > 0 ? total : 64 * 1024 * 1024;
  } catch {
    return 64 * 1024 * 1024;
  }
}

/** A valid opening handshake request for `key`. */
export function upgradeRequest(key: string, extra: readonly string[] = []): string {
  return [
    "GET / HTTP/1.1",
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    ...extra,
    "",
    "",
  ].join("\r\n");
}

/**
 * Connects to `port` on 127.0.0.1, performs the opening handshake as a client and returns a raw
 * peer for the upgraded connection. Rejects unless the answer is a correct `101`.
 */
export async function connectRawPeer(port: number): Promise<RawPeer> {
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const key = generateKey();
    const writer = tcp.writable.getWriter();
    await writer.write(_encoder.encode(upgradeRequest(key)));
    writer.releaseLock();
    const reader = tcp.readable.getReader();
    let buffer = new Uint8Array(0);
    let end = -1;
    while (end < 0) {
      const { value, done } = await withTimeout(reader.read(), 3_000, "handshake response");
      if (done) throw new Error("Cannot connect raw peer: closed during the handshake");
      const joined = new Uint8Array(buffer.length + value.length);
      joined.set(buffer);
      joined.set(value, buffer.length);
      buffer = joined;
      end = findHeadEnd(buffer);
    }
    const response = parseResponseHead(buffer.subarray(0, end));
    if (response.status !== 101) {
      throw new Error(`Cannot connect raw peer: status ${response.status}`);
    }
    if (response.headers.get("sec-websocket-accept") !== computeAcceptKey(key)) {
      throw new Error("Cannot connect raw peer: wrong Sec-WebSocket-Accept");
    }
    return new RawPeer(tcp, "client", { reader, leftover: buffer.slice(end) });
  } catch (error) {
    try {
      tcp.close();
    } catch {
      // Already closed.
    }
    throw error;
  }
}

async function _stop(server: Server): Promise<void> {
  await withTimeout(server.shutdown({ timeout: 1_000 }), 5_000, "server shutdown");
}

function serverHarness(
  name: string,
  engine: "streams" | "native",
  capabilities: Capabilities,
  gaps: Harness["gaps"],
  handshakeTimeout: true | string,
): Harness {
  return {
    name,
    peerRole: "client",
    capabilities,
    ...(gaps === undefined ? {} : { gaps }),
    handshakeTimeout,
    async open(app: App, options: ConnOptions = {}): Promise<Session> {
      let accepted!: (conn: WebSocketConnection) => void;
      const connection = new Promise<WebSocketConnection>((resolve) => (accepted = resolve));
      let running: ReturnType<typeof runApp> | undefined;
      const server = serve({ ..._LOCAL, engine, ...options }, (conn) => {
        running = runApp(app, conn);
        accepted(conn);
        return running.done;
      });
      let peer: RawPeer;
      let conn: WebSocketConnection;
      try {
        peer = await connectRawPeer(server.addr.port);
        conn = await withTimeout(connection, 3_000, "server to accept the connection");
      } catch (error) {
        await _stop(server);
        throw error;
      }
      return {
        peer,
        conn,
        appDone: running!.done,
        shutdown: (timeout) => server.shutdown({ timeout }),
        async dispose() {
          try {
            await disposeSession(peer, conn, running!);
          } finally {
            await _stop(server);
          }
        },
      };
    },
    listen(app: App, options: ListenOptions = {}): Promise<Listening> {
      const server = serve({ ..._LOCAL, engine, ...options }, app);
      return Promise.resolve({ port: server.addr.port, close: () => _stop(server) });
    },
  };
}

/** The `streams` engine: our pipeline over `Deno.listen`. */
export const streamsHarness: Harness = serverHarness(
  "streams engine over TCP",
  "streams",
  {
    backpressure: true,
    slowConsumer: true,
    readAhead: true,
    keepalive: true,
    limits: true,
    messageSizeLimit: true,
    protocolErrors: true,
    registeredCloseCodes: true,
    closeTimeout: true,
    shutdown: true,
    transportBuffer: TCP_BUFFER,
  },
  undefined,
  true,
);

/** The `native` engine: `Deno.serve` and `Deno.upgradeWebSocket`. */
export const nativeHarness: Harness = serverHarness(
  "native engine over TCP",
  "native",
  {
    backpressure: false,
    slowConsumer: true,
    readAhead: false,
    keepalive: false,
    limits: false,
    messageSizeLimit: true,
    protocolErrors: false,
    registeredCloseCodes: false,
    closeTimeout: false,
    shutdown: true,
    transportBuffer: TCP_BUFFER,
  },
  {
    backpressure: "Deno's WebSocket buffers every send and every message it reads",
    readAhead: "Deno's WebSocket cannot pause reading",
    keepalive: "Deno's WebSocket pings with whole-second idle timeouts and cannot be timed",
    limits: "Deno's WebSocket applies its own fixed frame and message limits",
    protocolErrors: "Deno's WebSocket drops the TCP connection without a close frame, or hangs",
    registeredCloseCodes: "Deno's WebSocket fails the connection on close code 1014",
    closeTimeout: "Deno's WebSocket cannot drop a socket whose peer never answers its close",
  },
  "Deno.serve applies its own request timeouts",
);
