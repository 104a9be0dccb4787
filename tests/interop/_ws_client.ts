// The `ws` package's client (under Deno's Node compatibility), wrapped so tests can await its
// events.
import { Buffer } from "node:buffer";
import WebSocket from "ws";
import type { CloseReport } from "./_deno_websocket.ts";
import { Mailbox, within } from "./_util.ts";

/** A message as `ws` delivered it. */
export interface WsMessage {
  binary: boolean;
  data: Uint8Array;
}

/** An open `ws` client and its events. */
export interface WsClient extends AsyncDisposable {
  ws: WebSocket;
  messages: Mailbox<WsMessage>;
  /** Payloads of pings received (`ws` answers them itself). */
  pings: Mailbox<Uint8Array>;
  /** Payloads of pongs received. */
  pongs: Mailbox<Uint8Array>;
  closed: Promise<CloseReport>;
}

/** Opens `url` with `ws` and waits (bounded) for the handshake. */
export async function openWsClient(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<WsClient> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  const messages = new Mailbox<WsMessage>();
  const pings = new Mailbox<Uint8Array>();
  const pongs = new Mailbox<Uint8Array>();
  ws.on("message", (data, isBinary) => {
    messages.push({ binary: isBinary, data: _bytes(data) });
  });
  ws.on("ping", (data) => pings.push(_bytes(data)));
  ws.on("pong", (data) => pongs.push(_bytes(data)));
  // The EventTarget form of the close event is the one that carries `wasClean`.
  const closed = new Promise<CloseReport>((resolve) => {
    ws.onclose = (event) =>
      resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  try {
    await within(opened, `opening ${url}`);
  } catch (error) {
    ws.terminate();
    throw error;
  }
  ws.on("error", () => {}); // A close event follows; tests check it.
  return {
    ws,
    messages,
    pings,
    pongs,
    closed,
    async [Symbol.asyncDispose]() {
      if (ws.readyState === WebSocket.OPEN) ws.close();
      try {
        await within(closed, "disposing the ws client", 5_000);
      } finally {
        ws.terminate();
      }
    },
  };
}

// `ws` hands out Buffers (a Uint8Array subclass), or arrays of them; tests compare plain bytes.
function _bytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
