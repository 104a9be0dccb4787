// Deno's built-in WebSocket client (the WHATWG API), wrapped so tests can await its events.
import { Mailbox, within } from "./_util.ts";

/** What a WHATWG close event reported. */
export interface CloseReport {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** An open WebSocket and its events. */
export interface DenoClient extends AsyncDisposable {
  ws: WebSocket;
  /** Messages as `string` (text) or `Uint8Array` (binary). */
  messages: Mailbox<string | Uint8Array>;
  /** Resolves with the close event. */
  closed: Promise<CloseReport>;
}

/** Opens `url` and waits (bounded) for the handshake. */
export async function openDenoClient(url: string): Promise<DenoClient> {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const messages = new Mailbox<string | Uint8Array>();
  ws.onmessage = (event: MessageEvent) => {
    messages.push(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
  };
  const closed = new Promise<CloseReport>((resolve) => {
    ws.onclose = (event) =>
      resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`Cannot open ${url}`));
  });
  try {
    await within(opened, `opening ${url}`);
  } catch (error) {
    ws.close();
    await within(closed, "closing a socket that failed to open").catch(() => {});
    throw error;
  }
  ws.onerror = () => {}; // A close event follows; tests check it.
  return {
    ws,
    messages,
    closed,
    async [Symbol.asyncDispose]() {
      if (ws.readyState === WebSocket.OPEN) ws.close();
      await within(closed, "disposing the client");
    },
  };
}
