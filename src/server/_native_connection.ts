import type { CloseInfo, ConnectionInfo } from "../connection/connection_options.ts";
import { _Inbox } from "../connection/_inbox.ts";
import { READY_STATE, type ReadyState } from "../connection/ready_state.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { CLOSE_CODE, isValidCloseCode } from "../protocol/close_code.ts";
import type { Message } from "../protocol/message.ts";
import { _countNativeIn, _countNativeOut } from "../observability/_native_counts.ts";
import { _utf8Length } from "../protocol/_utf8_length.ts";
import type { _ResolvedUpgradeOptions } from "./_resolve_options.ts";

const _encoder = new TextEncoder();
// How often `drained()` samples the native `bufferedAmount`: Deno's WebSocket has no drain event.
const _DRAIN_POLL_MS = 5;

/**
 * @internal The `native` engine's connection: Deno's `WebSocket` (from `Deno.upgradeWebSocket`)
 * behind the {@linkcode WebSocketConnection} interface. Messages sent before the socket opens
 * are held and written on open, so handlers can send at once, as with `Connection`.
 *
 * An idle connection holds little beyond Deno's own socket: the settings are the server's,
 * shared, and the connection is itself the socket's one event listener (no closures).
 */
export class _NativeConnection<Data> implements WebSocketConnection<Data> {
  data: Data;
  readonly info: ConnectionInfo;
  readonly #ws: WebSocket;
  readonly #options: _ResolvedUpgradeOptions<Data>;
  #state: ReadyState = READY_STATE.OPEN;
  /** Messages sent before the socket opened, made by the first such send. */
  #pending: (string | Uint8Array)[] | null = null;
  #opened = false;
  #pendingBytes = 0;
  #closeRequest: [number, string] | null = null;
  readonly #inbox = new _Inbox();
  #dropped = 0;
  // A message over `limits.maxMessageSize` arrived: the connection is closing with 1009.
  #tooBig = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #closedResolve!: (info: CloseInfo) => void;
  readonly #closed = new Promise<CloseInfo>((resolve) => (this.#closedResolve = resolve));

  constructor(
    ws: WebSocket,
    info: ConnectionInfo,
    data: Data | undefined,
    options: _ResolvedUpgradeOptions<Data>,
  ) {
    this.#ws = ws;
    this.#options = options;
    this.data = data as Data;
    this.info = info;
    ws.binaryType = "arraybuffer";
    // No error listener: Deno follows an error event with a close event.
    ws.addEventListener("open", this, { once: true });
    ws.addEventListener("message", this);
    ws.addEventListener("close", this, { once: true });
  }

  /** @internal The socket's events (`EventListener`). */
  handleEvent(event: Event): void {
    if (event.type === "message") this.#onMessage((event as MessageEvent).data);
    else if (event.type === "open") this.#onOpen();
    else if (event.type === "close") {
      const { code, reason, wasClean } = event as CloseEvent;
      // A message over the limit failed the connection: reported as the streams engine does.
      this.#finish(
        this.#tooBig
          ? { code: CLOSE_CODE.MESSAGE_TOO_BIG, reason: "MESSAGE_TOO_BIG", wasClean: false }
          : { code, reason, wasClean },
      );
    }
  }

  get readyState(): ReadyState {
    return this.#state;
  }

  get bufferedAmount(): number {
    if (this.#state === READY_STATE.CLOSED) return 0;
    return this.#opened ? this.#ws.bufferedAmount : this.#pendingBytes;
  }

  get droppedMessages(): number {
    return this.#dropped;
  }

  get closed(): Promise<CloseInfo> {
    return this.#closed;
  }

  send(data: string | Uint8Array | ArrayBuffer): boolean {
    if (this.#state !== READY_STATE.OPEN) return false;
    // A view, not a copy: Deno's `send` copies the bytes before it returns.
    const bytes = typeof data === "string"
      ? null
      : data instanceof Uint8Array
      ? data
      : new Uint8Array(data);
    const size = bytes === null ? (data as string).length : bytes.length;
    if (!this.#admit(size)) return false;
    if (this.#options.metrics !== undefined) {
      _countNativeOut(this.#options.metrics, bytes ?? (data as string));
    }
    if (this.#opened) this.#ws.send(bytes ?? data as string);
    else {
      (this.#pending ??= []).push(bytes === null ? data as string : bytes.slice());
      this.#pendingBytes += size;
    }
    return true;
  }

  sendJson(value: unknown): boolean {
    return this.send(JSON.stringify(value));
  }

  /** Deno's `WebSocket` cannot send pings: always `false` (keepalive uses its `idleTimeout`). */
  ping(data: string | Uint8Array = ""): boolean {
    const length = typeof data === "string" ? _encoder.encode(data).length : data.length;
    if (length > 125) throw new RangeError("Cannot ping: data is over 125 bytes");
    return false;
  }

  close(code: number = CLOSE_CODE.NORMAL, reason = ""): void {
    if (!isValidCloseCode(code)) throw new RangeError(`Cannot close: invalid close code ${code}`);
    if (_encoder.encode(reason).length > 123) {
      throw new RangeError("Cannot close: reason is over 123 bytes");
    }
    if (this.#state !== READY_STATE.OPEN) return;
    this.#state = READY_STATE.CLOSING;
    this.#closeTimer = setTimeout(() => this.abort(), this.#options.closeTimeout);
    if (!this.#opened) this.#closeRequest = [code, reason];
    // Everything accepted by send() goes out before the close frame.
    else this.drained().then(() => this.#closeNative(code, reason));
  }

  async drained(threshold = 0): Promise<void> {
    while (this.bufferedAmount > threshold && this.#state !== READY_STATE.CLOSED) {
      await new Promise((resolve) => setTimeout(resolve, _DRAIN_POLL_MS));
    }
  }

  get readable(): ReadableStream<Message> {
    return this.#inbox.readable;
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return this.#inbox.iterator();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close(CLOSE_CODE.GOING_AWAY);
    await this.#closed;
  }

  /** Reports the connection closed (1006) at once and lets the socket go. */
  abort(): void {
    this.#closeNative(CLOSE_CODE.GOING_AWAY, "");
    this.#finish({ code: CLOSE_CODE.ABNORMAL, reason: "aborted", wasClean: false });
  }

  #onOpen(): void {
    const pending = this.#pending;
    this.#opened = true;
    this.#pending = null;
    this.#pendingBytes = 0;
    if (pending !== null) { for (const data of pending) this.#ws.send(data); }
    if (this.#closeRequest !== null) {
      const [code, reason] = this.#closeRequest;
      this.drained().then(() => this.#closeNative(code, reason));
    }
  }

  #onMessage(data: string | ArrayBuffer): void {
    if (this.#state === READY_STATE.CLOSED || this.#tooBig) return;
    // Deno hands over whole messages: `limits.maxMessageSize` applies once one has arrived, with
    // the close code and reason the streams engine sends while it arrives. Nothing is delivered
    // after it.
    if (_overSize(data, this.#options.limits.maxMessageSize)) {
      this.#tooBig = true;
      this.#options.metrics?.protocolError("MESSAGE_TOO_BIG");
      if (this.#state === READY_STATE.OPEN) {
        this.close(CLOSE_CODE.MESSAGE_TOO_BIG, "MESSAGE_TOO_BIG");
      }
      return;
    }
    const message: Message = typeof data === "string"
      ? { type: "text", data }
      : { type: "binary", data: new Uint8Array(data) };
    if (this.#options.metrics !== undefined) _countNativeIn(this.#options.metrics, message);
    this.#inbox.push(message);
    // Deno's WebSocket cannot pause reading: bound what waits for the application instead.
    if (this.#inbox.bytes > this.#options.limits.maxMessageSize) {
      this.close(CLOSE_CODE.POLICY_VIOLATION, "read-ahead exceeded");
    }
  }

  #admit(size: number): boolean {
    const { maxBufferedAmount, slowConsumer } = this.#options;
    if (this.bufferedAmount + size <= maxBufferedAmount) return true;
    if (slowConsumer.policy === "drop") {
      this.#dropped++;
      if (this.#options.metrics !== undefined) this.#options.metrics.slowConsumerDrops++;
      return false;
    }
    if (this.#options.metrics !== undefined) this.#options.metrics.slowConsumerCloses++;
    this.#pending = null;
    this.#pendingBytes = 0;
    this.close(slowConsumer.closeCode, "slow consumer");
    return false;
  }

  #closeNative(code: number, reason: string): void {
    try {
      this.#ws.close(code, reason);
    } catch {
      // Not open yet or already closed.
    }
  }

  #finish(info: CloseInfo): void {
    if (this.#state === READY_STATE.CLOSED) return;
    this.#state = READY_STATE.CLOSED;
    clearTimeout(this.#closeTimer);
    this.#pending = null;
    this.#pendingBytes = 0;
    this.#inbox.end();
    this.#closedResolve(info);
  }
}

// Whether a message Deno delivered is over `max` bytes (text counted in UTF-8, which takes at least
// one and at most three bytes per UTF-16 unit: only text near the limit is measured).
function _overSize(data: string | ArrayBuffer, max: number): boolean {
  if (typeof data !== "string") return data.byteLength > max;
  if (data.length > max) return true;
  if (data.length * 3 <= max) return false;
  return _utf8Length(data) > max;
}
