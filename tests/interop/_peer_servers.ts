// Servers we did not write, as peers of our client: Deno.serve + Deno.upgradeWebSocket, and the
// `ws` package's WebSocketServer. Both behave alike per request path:
//   /echo (or anything else)   echoes every message unchanged
//   /close?code=&reason=       closes at once with that code and reason
//   /ping?data=                sends a ping with that data at once (ws only), then echoes
import { Buffer } from "node:buffer";
import { type WebSocket as WsSocket, WebSocketServer } from "ws";
import type { CloseReport } from "./_deno_websocket.ts";
import { Mailbox, within } from "./_util.ts";

/** A message as the peer received it. */
export interface PeerMessage {
  binary: boolean;
  data: Uint8Array;
}

/** A running peer server and what it observed. */
export interface PeerServer extends AsyncDisposable {
  name: "Deno.upgradeWebSocket" | "ws";
  /** `ws://127.0.0.1:<port>` (no trailing slash). */
  wsBase: string;
  received: Mailbox<PeerMessage>;
  closes: Mailbox<CloseReport>;
  /** Ping payloads received (ws only; Deno's WebSocket does not report them). */
  pings: Mailbox<Uint8Array>;
  /** Pong payloads received (ws only). */
  pongs: Mailbox<Uint8Array>;
}

const _encoder = new TextEncoder();

/** Deno.serve + Deno.upgradeWebSocket on 127.0.0.1. */
export function startDenoPeer(): PeerServer {
  const received = new Mailbox<PeerMessage>();
  const closes = new Mailbox<CloseReport>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onclose = (event) =>
      closes.push({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    if (url.pathname === "/close") {
      const code = Number(url.searchParams.get("code"));
      socket.onopen = () => socket.close(code, url.searchParams.get("reason") ?? "");
      return response;
    }
    socket.onmessage = (event: MessageEvent) => {
      const text = typeof event.data === "string";
      received.push({
        binary: !text,
        data: text ? _encoder.encode(event.data) : new Uint8Array(event.data),
      });
      socket.send(event.data);
    };
    return response;
  });
  return {
    name: "Deno.upgradeWebSocket",
    wsBase: `ws://127.0.0.1:${server.addr.port}`,
    received,
    closes,
    pings: new Mailbox(),
    pongs: new Mailbox(),
    async [Symbol.asyncDispose]() {
      await within(server.shutdown(), "shutting down Deno.serve");
    },
  };
}

/** A `ws` WebSocketServer on 127.0.0.1 (no permessage-deflate). */
export async function startWsPeer(): Promise<PeerServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await within(
    new Promise<void>((resolve) => server.once("listening", resolve)),
    "ws server listening",
  );
  const received = new Mailbox<PeerMessage>();
  const closes = new Mailbox<CloseReport>();
  const pings = new Mailbox<Uint8Array>();
  const pongs = new Mailbox<Uint8Array>();
  const sockets = new Set<WsSocket>();
  server.on("connection", (socket, request) => {
    sockets.add(socket);
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    socket.onclose = (event) => {
      sockets.delete(socket);
      closes.push({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    };
    socket.on("ping", (data) => pings.push(new Uint8Array(data)));
    socket.on("pong", (data) => pongs.push(new Uint8Array(data)));
    if (url.pathname === "/close") {
      socket.close(Number(url.searchParams.get("code")), url.searchParams.get("reason") ?? "");
      return;
    }
    if (url.pathname === "/ping") socket.ping(url.searchParams.get("data") ?? "");
    socket.on("message", (data, isBinary) => {
      // binaryType "nodebuffer" (the default): a Buffer, or Buffers for a fragmented message.
      const bytes = Array.isArray(data) ? Buffer.concat(data) : data as Buffer;
      received.push({ binary: isBinary, data: new Uint8Array(bytes) });
      socket.send(bytes, { binary: isBinary });
    });
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("ws server has no port");
  return {
    name: "ws",
    wsBase: `ws://127.0.0.1:${address.port}`,
    received,
    closes,
    pings,
    pongs,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.terminate();
      await within(new Promise((resolve) => server.close(resolve)), "closing the ws server");
    },
  };
}
