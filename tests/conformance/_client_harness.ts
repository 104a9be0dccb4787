/**
 * A harness for the client: `connect()` opens a connection to a raw TCP server on 127.0.0.1
 * that answers the opening handshake by hand; from then on a {@linkcode RawPeer} plays the
 * server and the client-side connection runs the test's application code.
 *
 * @module
 */
import { connect } from "../../src/client/mod.ts";
import { computeAcceptKey, findHeadEnd, parseRequestHead } from "../../src/protocol/mod.ts";
import { disposeSession, runApp } from "./_connection_harness.ts";
import type { App, ConnOptions, Harness, Session } from "./_harness.ts";
import { RawPeer } from "./_raw_peer.ts";
import { TCP_BUFFER } from "./_server_harness.ts";
import { withTimeout } from "./_timing.ts";

const _encoder = new TextEncoder();

// Reads the request head, answers 101 and returns the peer; bytes after the head are frames.
async function _accept(tcp: Deno.Conn): Promise<RawPeer> {
  const reader = tcp.readable.getReader();
  let buffer = new Uint8Array(0);
  let end = -1;
  while (end < 0) {
    const { value, done } = await withTimeout(reader.read(), 3_000, "handshake request");
    if (done) throw new Error("Cannot accept raw peer: closed during the handshake");
    const joined = new Uint8Array(buffer.length + value.length);
    joined.set(buffer);
    joined.set(value, buffer.length);
    buffer = joined;
    end = findHeadEnd(buffer);
  }
  const request = parseRequestHead(buffer.subarray(0, end));
  const key = request.headers.get("sec-websocket-key") ?? "";
  const response = [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${computeAcceptKey(key)}`,
    "",
    "",
  ].join("\r\n");
  const writer = tcp.writable.getWriter();
  await writer.write(_encoder.encode(response));
  writer.releaseLock();
  return new RawPeer(tcp, "server", { reader, leftover: buffer.slice(end) });
}

/** The client (`connect()` over `Deno.connect`), talking to a raw server. */
export const clientHarness: Harness = {
  name: "client over TCP",
  peerRole: "server",
  capabilities: {
    backpressure: true,
    slowConsumer: true,
    readAhead: true,
    keepalive: true,
    limits: true,
    messageSizeLimit: true,
    protocolErrors: true,
    registeredCloseCodes: true,
    closeTimeout: true,
    shutdown: false,
    transportBuffer: TCP_BUFFER,
  },
  gaps: { shutdown: "a client has no server to shut down" },
  async open(app: App, options: ConnOptions = {}): Promise<Session> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    const connecting = connect(`ws://127.0.0.1:${port}/`, { ...options, handshakeTimeout: 3_000 });
    let tcp: Deno.Conn | undefined;
    try {
      tcp = await withTimeout(listener.accept(), 3_000, "client to connect");
      const peer = await _accept(tcp);
      const conn = await connecting;
      const running = runApp(app, conn);
      return {
        peer,
        conn,
        appDone: running.done,
        dispose: () => disposeSession(peer, conn, running),
      };
    } catch (error) {
      try {
        tcp?.close();
      } catch {
        // Already closed.
      }
      await connecting.catch(() => {});
      throw error;
    } finally {
      listener.close();
    }
  },
};
