import { encodeFrame, generateKey, OPCODE } from "../../src/protocol/mod.ts";

const _encoder = new TextEncoder();
const _decoder = new TextDecoder();

/** A valid upgrade request head for `path`, with optional extra header lines. */
export function upgradeHead(path = "/", extra: string[] = []): string {
  return [
    `GET ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${generateKey()}`,
    "Sec-WebSocket-Version: 13",
    ...extra,
    "",
    "",
  ].join("\r\n");
}

/** A masked client frame. */
export function clientFrame(opcode: number, payload: string | Uint8Array, fin = true): Uint8Array {
  const bytes = typeof payload === "string" ? _encoder.encode(payload) : payload;
  return encodeFrame({ fin, rsv: 0, opcode: opcode as 1, payload: bytes }, { mask: true });
}

/** A masked close frame with a code. */
export function clientClose(code: number): Uint8Array {
  return clientFrame(OPCODE.CLOSE, new Uint8Array([code >> 8, code & 0xff]));
}

/** Opens a raw TCP connection to the server's port on 127.0.0.1. */
export function rawConnect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

/** Closes `conn`, ignoring a connection that is closed already. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already (by the peer, the server or a timer).
  }
}

/**
 * Opens a raw TCP connection, sends an upgrade request and reads the response head, which must be
 * a 101; fails when none arrives within `timeout` ms. Returns the connection, still open.
 */
export async function rawUpgrade(port: number, timeout = 5_000): Promise<Deno.TcpConn> {
  const conn = await rawConnect(port);
  const timer = setTimeout(() => closeQuietly(conn), timeout);
  let seen = "";
  try {
    await write(conn, upgradeHead());
    const buffer = new Uint8Array(4096);
    while (!seen.includes("\r\n\r\n")) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) throw new Error(`no answer to an upgrade within ${timeout} ms: ${seen}`);
      seen += _decoder.decode(buffer.subarray(0, n));
    }
  } catch (error) {
    closeQuietly(conn);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (statusOf(_encoder.encode(seen)) !== 101) {
    closeQuietly(conn);
    throw new Error(`upgrade answered with ${seen.split("\r\n")[0]}`);
  }
  return conn;
}

/** Writes `data`, ignoring a peer that already closed. */
export async function write(conn: Deno.Conn, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === "string" ? _encoder.encode(data) : data;
  try {
    let written = 0;
    while (written < bytes.length) written += await conn.write(bytes.subarray(written));
  } catch {
    // The server closed first; the test checks what it answered.
  }
}

/**
 * Reads until the peer closes (or `timeout` ms pass, which fails the test), returning every byte.
 * Closes the connection.
 */
export async function readToEnd(conn: Deno.Conn, timeout = 5_000): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed */ }
  }, timeout);
  const started = Date.now();
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    // Reset by the peer or closed by the timer.
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
  if (Date.now() - started >= timeout) throw new Error("Cannot read: the server never closed");
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The text of `bytes` (latin1-safe enough for status lines). */
export function text(bytes: Uint8Array): string {
  return _decoder.decode(bytes);
}

/** The status code of a raw HTTP response, or `undefined` when there is none. */
export function statusOf(bytes: Uint8Array): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(text(bytes));
  return match === null ? undefined : Number(match[1]);
}

/**
 * The close code of the first close frame in server bytes that follow a 101 head (server frames
 * are unmasked), or `undefined`.
 */
export function closeCodeAfter101(bytes: Uint8Array): number | undefined {
  const s = text(bytes);
  const end = s.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  let i = _encoder.encode(s.slice(0, end + 4)).length;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i]! & 0x0f;
    let length = bytes[i + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
      header = 4;
    } else if (length === 127) {
      return undefined;
    }
    if (opcode === OPCODE.CLOSE) {
      return length >= 2 ? (bytes[i + header]! << 8) | bytes[i + header + 1]! : 1005;
    }
    i += header + length;
  }
  return undefined;
}

/** Opens a native WebSocket and waits for it to be open. */
export async function openWebSocket(url: string, protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols);
  ws.binaryType = "arraybuffer";
  _closes.set(ws, new Promise((resolve) => ws.addEventListener("close", resolve, { once: true })));
  const inbox: _Inbox = { messages: [], waiters: [], closed: null };
  _inboxes.set(ws, inbox);
  ws.addEventListener("message", (event) => {
    const waiter = inbox.waiters.shift();
    if (waiter === undefined) inbox.messages.push(event.data);
    else waiter.resolve(event.data);
  });
  ws.addEventListener("close", (event) => {
    inbox.closed = new Error(`WebSocket closed (${event.code} ${event.reason}) before a message`);
    for (const waiter of inbox.waiters.splice(0)) waiter.reject(inbox.closed);
  });
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = (event) => reject(new Error(`Cannot open WebSocket: ${String(event)}`));
  });
  ws.onerror = null;
  return ws;
}

/** Resolves with the next message's data; fails if the socket closes before one comes. */
export function nextMessage(ws: WebSocket): Promise<string | ArrayBuffer> {
  const inbox = _inboxes.get(ws)!;
  if (inbox.messages.length > 0) return Promise.resolve(inbox.messages.shift()!);
  if (inbox.closed !== null) return Promise.reject(inbox.closed);
  return new Promise((resolve, reject) => inbox.waiters.push({ resolve, reject }));
}

interface _Inbox {
  messages: (string | ArrayBuffer)[];
  waiters: { resolve: (data: string | ArrayBuffer) => void; reject: (error: Error) => void }[];
  // Set once the socket has closed: waiting for a message then fails instead of hanging.
  closed: Error | null;
}

const _inboxes = new WeakMap<WebSocket, _Inbox>();

/** Resolves with the close event. */
export function closeEvent(ws: WebSocket): Promise<CloseEvent> {
  return _closes.get(ws) ??
    new Promise((resolve) => ws.addEventListener("close", resolve, { once: true }));
}

const _closes = new WeakMap<WebSocket, Promise<CloseEvent>>();

/** Both engines, for tests that run on each. */
export const ENGINES = ["streams", "native"] as const;
