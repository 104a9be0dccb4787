import { CLOSE_CODE, isValidCloseCode } from "../protocol/close_code.ts";
import { PROTOCOL_ERROR_CODE, ProtocolError } from "../protocol/errors.ts";
import { fragmentMessage } from "../protocol/fragment.ts";
import type { Frame } from "../protocol/frame.ts";
import {
  _poolTextPayloads,
  _returnPayload,
  createFrameDecoder,
  type FrameDecoder,
  type Role,
} from "../protocol/frame_decoder.ts";
import type { Limits } from "../protocol/limits.ts";
import type { AssemblerEvent, Message } from "../protocol/message.ts";
import { createMessageAssembler, type MessageAssembler } from "../protocol/message_assembler.ts";
import { _unmask } from "../protocol/mask.ts";
import { OPCODE } from "../protocol/opcode.ts";
import { _decodeUtf8Range } from "../protocol/utf8.ts";
import { _Outbound } from "./_outbound.ts";
import { _Info } from "./_info.ts";
import { _SocketTransport } from "./_socket_transport.ts";
import { type _KeepaliveGroup, _KeepaliveGroups } from "./_keepalive_groups.ts";
import { _directRegion, _FIRST_READ, _MIN_READ, _nextReadSize } from "./_read_size.ts";
import { _textPayload } from "./_text_payload.ts";
import type { ConnectionMetrics } from "../observability/connection_metrics.ts";
import { _countFrameIn, _countMessageOut } from "../observability/_frame_counts.ts";
import { READY_STATE, type ReadyState } from "./ready_state.ts";
import type { Transport } from "./transport.ts";
import type { WebSocketConnection } from "./websocket_connection.ts";
import {
  _resolveSharedLimits,
  _resolveSharedOptions,
  type CloseInfo,
  type ConnectionExtension,
  type ConnectionInfo,
  type ConnectionOptions,
  type ResolvedConnectionOptions,
} from "./connection_options.ts";

const _encoder = new TextEncoder();
const _EMPTY = new Uint8Array(0);
// Text up to this many characters, on a server connection without extensions, is written into
// the outbound buffer directly when it is ASCII (`_Outbound.pushAsciiText`).
const _DIRECT_TEXT = 256;
// How long a failed connection keeps draining input before the socket is closed.
const _FAIL_LINGER = 1_000;
/**
 * One WebSocket connection over a {@linkcode Transport}, after the opening handshake: the same
 * class serves the server engines and the client.
 *
 * Reading is pull-driven and batched: a read from the transport happens only while fewer than
 * `maxReadAhead` bytes of messages wait for the application, and every message decoded from one
 * read is handed over at once. Writing is coalesced: everything sent while a write is in flight,
 * or while the application handles one batch, goes out in a single transport write.
 *
 * @example Echo over an in-memory transport pair
 * ```ts
 * import { Connection } from "@aero/socket";
 * import { createTransportPair } from "@aero/socket/testing";
 * import assert from "node:assert/strict";
 *
 * const [a, b] = createTransportPair();
 * const server = new Connection(a, { role: "server" });
 * const client = new Connection(b, { role: "client" });
 * (async () => {
 *   for await (const message of server) server.send(message.data);
 * })();
 * client.send("hello");
 * const iterator = client[Symbol.asyncIterator]();
 * assert.deepEqual((await iterator.next()).value, { type: "text", data: "hello" });
 * client.close(1000, "bye");
 * // The server echoes the status code (RFC 6455 §5.5.1); the client reports what it received.
 * assert.deepEqual(await client.closed, { code: 1000, reason: "", wasClean: true });
 * assert.deepEqual(await server.closed, { code: 1000, reason: "bye", wasClean: true });
 * ```
 */
export class Connection<Data = unknown> implements WebSocketConnection<Data> {
  static #keepalive = new _KeepaliveGroups<Connection<unknown>>((conn, now) =>
    conn.#checkKeepalive(now)
  );

  /** Application data attached to this connection. */
  data: Data;
  /** Details of the connection: peer address, URL, headers, negotiated protocol. */
  readonly info: ConnectionInfo;
  readonly #transport: Transport;
  readonly #options: ResolvedConnectionOptions;
  readonly #limits: Limits;
  readonly #decoder: FrameDecoder;
  readonly #assembler: MessageAssembler;
  readonly #outbound: _Outbound;
  readonly #extensions: readonly ConnectionExtension[];
  readonly #metrics: ConnectionMetrics | undefined;
  #inText = false;
  #state: ReadyState = READY_STATE.OPEN;
  #queue: Message[] = [];
  #queuedBytes = 0;
  #consumer: (() => void) | null = null;
  #pumpPaused: (() => void) | null = null;
  #inputEnded = false;
  #closeSent = false;
  #closeReceived: { code: number; reason: string } | null = null;
  #failure: CloseInfo | null = null;
  // A protocol error found after messages that the application has not taken yet: the connection
  // fails once it has taken them (or after a short delay), so that it may answer them first.
  #deferredFailure: ProtocolError | null = null;
  #deferTimer: ReturnType<typeof setTimeout> | undefined;
  #closedResolve!: (info: CloseInfo) => void;
  #closed: Promise<CloseInfo>;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #keepaliveGroup: _KeepaliveGroup<Connection<unknown>> | undefined;
  #lastReceived = Date.now();
  #droppedMessages = 0;
  #readable: ReadableStream<Message> | undefined;
  // Whether text may be written as a single unmasked frame as it is (see `send`).
  readonly #plainText: boolean;
  // Where the decoder hands whole text frames when no extension transforms them.
  readonly #textSink:
    | ((bytes: Uint8Array, start: number, end: number, mask: number) => void)
    | undefined;
  // Whether a frame (whose payload may be a view of the read buffer) was handed on while
  // decoding the current read.
  #viewsHandedOut = false;

  /** Wraps `transport` (whose opening handshake is done) as a WebSocket connection. */
  constructor(transport: Transport, options: ConnectionOptions<Data>) {
    this.#options = _resolveSharedOptions(options);
    this.#limits = _resolveSharedLimits(options.limits);
    this.#transport = transport;
    this.#extensions = options.extensions ?? [];
    this.#metrics = options.metrics;
    this.data = options.data as Data;
    this.info = new _Info(
      options.remoteAddress,
      options.url,
      options.headers,
      options.protocol ?? "",
      this.#extensions.map((e) => e.name),
    );
    const role: Role = options.role;
    let rsv = 0;
    for (const extension of this.#extensions) rsv |= extension.rsv;
    this.#decoder = createFrameDecoder({
      role,
      maxFrameSize: this.#limits.maxFrameSize,
      allowedRsv: rsv,
      ownsInput: true,
      // Invalid UTF-8 in a large text frame sent slowly fails the connection at once.
      validateText: true,
    });
    // A large text frame is a string once received, and no extension sees its payload: the
    // decoder may read it into a pooled buffer, given back in `#onFrame`. Only over a socket,
    // which reads into the region it is given and nothing more: a transport of the application's
    // could see the rest of a pooled buffer, which held other connections' bytes.
    if (this.#extensions.length === 0 && transport instanceof _SocketTransport) {
      _poolTextPayloads(this.#decoder);
    }
    this.#assembler = createMessageAssembler(this.#limits);
    this.#outbound = new _Outbound(
      transport instanceof _SocketTransport ? transport : transport.writable.getWriter(),
      role === "client",
      (error) => this.#abort(CLOSE_CODE.ABNORMAL, "write failed", error),
    );
    this.#plainText = role === "server" && this.#extensions.length === 0 &&
      (this.#options.fragmentSize === undefined || this.#options.fragmentSize >= _DIRECT_TEXT);
    this.#textSink = this.#extensions.length === 0 ? this.#onText : undefined;
    this.#closed = new Promise((resolve) => (this.#closedResolve = resolve));
    this.#startKeepalive();
    this.#pump();
  }

  /** The connection state ({@linkcode READY_STATE}). */
  get readyState(): ReadyState {
    return this.#state;
  }

  /** Bytes accepted by {@linkcode send} and not yet written to the transport. */
  get bufferedAmount(): number {
    return this.#outbound.bufferedAmount;
  }

  /** Messages discarded by the `"drop"` slow-consumer policy. */
  get droppedMessages(): number {
    return this.#droppedMessages;
  }

  /** Resolves once the connection is closed, with the close code, reason and cleanliness. */
  get closed(): Promise<CloseInfo> {
    return this.#closed;
  }

  /**
   * Sends a text (`string`) or binary message. Returns `true` when the message was accepted —
   * it will reach the wire before any later message and before a close frame — and `false` when
   * it was not: the connection is not open, or the slow-consumer policy applied.
   *
   * The bytes are copied; the caller may reuse its buffer at once.
   */
  send(data: string | Uint8Array | ArrayBuffer): boolean {
    if (this.#state !== READY_STATE.OPEN) return false;
    let opcode: typeof OPCODE.TEXT | typeof OPCODE.BINARY = OPCODE.BINARY;
    let payload: Uint8Array;
    if (typeof data === "string") {
      opcode = OPCODE.TEXT;
      const length = data.length;
      // Short ASCII text on a plain server connection is encoded straight into the outbound
      // buffer. Admitting it by its length is exact for ASCII; other text is at least that long
      // in UTF-8, so a refusal here is the refusal the general path would give. Text it turns
      // down is not ASCII, so it goes to the encoder below without a second scan.
      let scratch = false;
      if (length <= _DIRECT_TEXT && this.#plainText) {
        if (!this.#admit(length)) return false;
        if (this.#outbound.pushAsciiText(data)) {
          if (this.#metrics !== undefined) this.#countOut(true, length, length);
          this.#scheduleFlush();
          return true;
        }
      } else scratch = this.#extensions.length === 0;
      // Extensions may keep the payload (permessage-deflate on a worker): no shared scratch then.
      payload = _textPayload(data, scratch);
    } else {
      payload = data instanceof Uint8Array ? data : new Uint8Array(data);
    }
    if (!this.#admit(payload.length)) return false;
    const size = payload.length;
    const extensions = this.#extensions;
    let rsv = 0;
    for (let index = 0; index < extensions.length; index++) {
      const extension = extensions[index]!;
      // An extension may encode a large message elsewhere (permessage-deflate on a worker): the
      // message keeps its place in the outbound order meanwhile.
      const later = extension.encodeLater?.(opcode, payload);
      if (later !== undefined) {
        const done = later.then(
          (encoded) => this.#frames(opcode, size, encoded.payload, rsv | encoded.rsv, index + 1),
          (error: unknown) => {
            this.#encodingFailed(extension.name, error);
            return null;
          },
        );
        this.#outbound.pushLater(done, size);
        this.#scheduleFlush();
        return true;
      }
      const encoded = extension.encode(opcode, payload);
      payload = encoded.payload;
      rsv |= encoded.rsv;
    }
    if (this.#metrics !== undefined) this.#countOut(opcode === OPCODE.TEXT, size, payload.length);
    const { fragmentSize } = this.#options;
    if (fragmentSize === undefined || payload.length <= fragmentSize) {
      this.#outbound.push({ fin: true, rsv, opcode, payload });
    } else {
      for (const frame of fragmentMessage(opcode, payload, { fragmentSize, rsv })) {
        this.#outbound.push(frame);
      }
    }
    this.#scheduleFlush();
    return true;
  }

  // The frames of a message whose encoding finished after `send()` returned: the extensions
  // from `from` on encode it, then it is fragmented. The encoded payload belongs to the message
  // (`encodeLater` returns a buffer of its own), so the frames are views of it.
  #frames(
    opcode: typeof OPCODE.TEXT | typeof OPCODE.BINARY,
    size: number,
    payload: Uint8Array,
    rsv: number,
    from: number,
  ): Frame[] {
    const extensions = this.#extensions;
    for (let index = from; index < extensions.length; index++) {
      const encoded = extensions[index]!.encode(opcode, payload);
      payload = encoded.payload;
      rsv |= encoded.rsv;
    }
    if (this.#metrics !== undefined) this.#countOut(opcode === OPCODE.TEXT, size, payload.length);
    const { fragmentSize } = this.#options;
    if (fragmentSize === undefined || payload.length <= fragmentSize) {
      return [{ fin: true, rsv, opcode, payload }];
    }
    return [...fragmentMessage(opcode, payload, { fragmentSize, rsv })];
  }

  // An extension could not encode a message it had accepted: the connection cannot go on in
  // order, so it fails with 1011 once what was sent before has gone out.
  #encodingFailed(name: string, error: unknown): void {
    if (this.#state === READY_STATE.CLOSED) return;
    const message = error instanceof Error ? error.message : String(error);
    this.#fail(
      new ProtocolError(
        PROTOCOL_ERROR_CODE.EXTENSION_ERROR,
        `Cannot encode message: ${name} failed: ${message}`,
        { closeCode: CLOSE_CODE.INTERNAL_ERROR, cause: error },
      ),
    );
  }

  /**
   * Whether {@linkcode sendEncodedFrame} may be used: the connection is a server's (no masking),
   * without extensions (which transform payloads) and without fragmentation.
   */
  get acceptsEncodedFrames(): boolean {
    return this.#options.role === "server" && this.#extensions.length === 0 &&
      this.#options.fragmentSize === undefined;
  }

  /**
   * Sends bytes that are already a complete, unmasked data frame (for example from
   * `encodeFrame`), so that fan-out encodes a frame once and writes the same bytes to every
   * connection. Returns what {@linkcode send} would; the bytes must not be modified afterwards.
   *
   * @throws {TypeError} when {@linkcode acceptsEncodedFrames} is `false`.
   */
  sendEncodedFrame(frame: Uint8Array): boolean {
    if (!this.acceptsEncodedFrames) {
      throw new TypeError(
        "Cannot send encoded frame: connection masks, fragments or has extensions",
      );
    }
    if (this.#state !== READY_STATE.OPEN) return false;
    if (!this.#admit(frame.length)) return false;
    if (this.#metrics !== undefined) {
      // RFC 6455 §5.2: unmasked header of 2 bytes, plus a 2- or 8-byte extended length.
      const length = frame[1]! & 0x7f;
      const size = frame.length - (length === 126 ? 4 : length === 127 ? 10 : 2);
      this.#countOut((frame[0]! & 0x0f) === OPCODE.TEXT, size, size);
    }
    this.#outbound.pushEncoded(frame);
    this.#scheduleFlush();
    return true;
  }

  /** Sends `JSON.stringify(value)` as a text message; see {@linkcode send}. */
  sendJson(value: unknown): boolean {
    return this.send(JSON.stringify(value));
  }

  /**
   * Sends a ping with up to 125 bytes of data. Returns `false` when the connection is not open.
   *
   * @throws {RangeError} when the data is longer than 125 bytes.
   */
  ping(data: string | Uint8Array = _EMPTY): boolean {
    const payload = typeof data === "string" ? _encoder.encode(data) : data;
    if (payload.length > 125) throw new RangeError("Cannot ping: data is over 125 bytes");
    if (this.#state !== READY_STATE.OPEN) return false;
    this.#outbound.push({ fin: true, rsv: 0, opcode: OPCODE.PING, payload });
    this.#outbound.flush();
    return true;
  }

  /**
   * Starts the close handshake (RFC 6455 §7.1.2): everything sent before is written first, then
   * a close frame; the transport is closed when the peer answers, or aborted after
   * `closeTimeout`. Calling it again has no effect.
   *
   * @throws {RangeError} for a code that may not be sent, or a reason over 123 bytes.
   */
  close(code: number = CLOSE_CODE.NORMAL, reason = ""): void {
    if (!isValidCloseCode(code)) throw new RangeError(`Cannot close: invalid close code ${code}`);
    const bytes = _encoder.encode(reason);
    if (bytes.length > 123) throw new RangeError("Cannot close: reason is over 123 bytes");
    if (this.#state !== READY_STATE.OPEN) return;
    this.#sendClose(code, bytes);
  }

  /** Resolves once {@linkcode bufferedAmount} is at or below `threshold` bytes. */
  drained(threshold = 0): Promise<void> {
    return this.#outbound.drained(threshold);
  }

  /** The messages, as a pull-driven stream. Use either this or the async iterator, not both. */
  get readable(): ReadableStream<Message> {
    this.#readable ??= new ReadableStream<Message>({
      pull: async (controller) => {
        const batch = await this.#takeBatch();
        if (batch === null) controller.close();
        else for (const message of batch) controller.enqueue(message);
      },
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** Iterates over messages until the connection closes. */
  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return new Connection.#Messages(this);
  }

  // The async iterator: an object of a class of its own rather than closures over locals, so that
  // an idle connection's waiting handler holds one small object and one callback. Not an async
  // function: a message of the current batch costs one resolved promise, and a batch that arrives
  // while the application waits settles its promise directly.
  static #Messages = class implements AsyncIterator<Message> {
    #conn: Connection<unknown>;
    #batch: Message[] = [];
    #index = 0;
    // While the application waits for a batch: its `next()` promise, settled by `#wake`.
    #waiting: ((result: IteratorResult<Message>) => void) | null = null;
    #wake = (): void => {
      const taken = this.#conn.#take();
      if (taken === undefined) {
        this.#conn.#consumer = this.#wake;
        return;
      }
      const resolve = this.#waiting!;
      this.#waiting = null;
      resolve(this.#first(taken));
    };

    constructor(conn: Connection<unknown>) {
      this.#conn = conn;
    }

    next(): Promise<IteratorResult<Message>> {
      const batch = this.#batch;
      if (this.#index < batch.length) {
        return Promise.resolve({ done: false, value: batch[this.#index++]! });
      }
      const conn = this.#conn;
      conn.#flushNow();
      const taken = conn.#take();
      if (taken !== undefined) return Promise.resolve(this.#first(taken));
      return new Promise((resolve) => {
        this.#waiting = resolve;
        conn.#consumer = this.#wake;
      });
    }

    return(): Promise<IteratorResult<Message>> {
      this.#batch = [];
      return Promise.resolve({ done: true, value: undefined });
    }

    // Starts on a new batch: its first message, or the end.
    #first(taken: Message[] | null): IteratorResult<Message> {
      if (taken === null) {
        this.#batch = [];
        return { done: true, value: undefined };
      }
      this.#batch = taken;
      this.#index = 1;
      return { done: false, value: taken[0]! };
    }
  };

  /** Closes with 1001 (going away) and waits until the connection is closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === READY_STATE.OPEN) this.close(CLOSE_CODE.GOING_AWAY);
    await this.#closed;
  }

  // --- inbound -------------------------------------------------------------------------------

  async #pump(): Promise<void> {
    let byob: ReadableStreamBYOBReader | undefined;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    // A socket is read with `conn.read`, into the same buffers a BYOB reader would get.
    const socket = this.#transport instanceof _SocketTransport ? this.#transport : undefined;
    if (socket === undefined) {
      try {
        const readable = this.#transport.readable;
        // Byte streams (sockets) are read into buffers of our own size (see `_MIN_READ`): a
        // fresh one each time, since message payloads handed to the application are views over
        // it.
        try {
          byob = readable.getReader({ mode: "byob" });
        } catch {
          reader = readable.getReader();
        }
      } catch (error) {
        return this.#abort(CLOSE_CODE.ABNORMAL, "transport not readable", error);
      }
    }
    const sized = byob !== undefined || socket !== undefined;
    let size = _FIRST_READ;
    // A socket's read buffer is read into again when nothing decoded from it is still referenced
    // (every message in it was text, decoded into strings): no allocation per read then.
    let spare: Uint8Array | null = null;
    let readInto: Uint8Array | null = null;
    try {
      while (this.#state !== READY_STATE.CLOSED) {
        if (this.#queuedBytes > this.#options.maxReadAhead) {
          await new Promise<void>((resolve) => (this.#pumpPaused = resolve));
          continue;
        }
        // The rest of a large frame is read straight into its payload buffer: no copy.
        const direct = !sized || this.#failure !== null || this.#deferredFailure !== null
          ? undefined
          : _directRegion(this.#decoder);
        // The reader is awaited here directly, not through a helper: one promise less per read.
        let value: Uint8Array | undefined;
        if (socket !== undefined) {
          let into = direct;
          if (into === undefined) {
            into = spare !== null && spare.length === size ? spare : new Uint8Array(size);
            spare = null;
          }
          readInto = direct === undefined ? into : null;
          const read = await socket.read(into);
          if (read !== null) value = into.subarray(0, read);
        } else {
          const result = byob === undefined
            ? await reader!.read()
            : await byob.read(direct ?? new Uint8Array(size));
          if (!result.done) value = result.value;
        }
        if (value === undefined) break;
        this.#lastReceived = Date.now();
        // After a protocol error the rest of the input is read and dropped, so that closing the
        // socket does not reset it before the peer has read our close frame.
        if (this.#failure !== null || this.#deferredFailure !== null) continue;
        try {
          if (direct === undefined) {
            this.#viewsHandedOut = false;
            this.#decoder.push(value, this.#onFrame, this.#textSink);
            if (!this.#viewsHandedOut) spare = readInto;
          } else {
            this.#decoder.commit(value, this.#onFrame);
          }
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          if (this.#queue.length > 0) this.#deferFailure(error);
          else this.#fail(error);
        }
        if (sized) {
          // After a large frame, the next read starts small: it holds the next header, and the
          // rest of a large frame goes straight into its own buffer.
          size = direct !== undefined
            ? _MIN_READ
            : _nextReadSize(size, value.length, this.#decoder.bufferedBytes);
        }
        this.#outbound.flush();
        if (this.#queue.length > 0 && this.#consumer !== null) {
          // Every message of the chunk goes to the waiting application as one batch; one
          // microtask lets it answer before the next read is started, so that a lone request's
          // reply is written without waiting behind the read's setup.
          this.#wakeConsumer();
          await undefined;
        }
      }
    } catch (error) {
      // Once a close frame has been received (and answered), the close handshake is complete: a
      // read that fails then (a TLS peer that closes its socket without close_notify) ends the
      // connection as an end of input does (RFC 6455 §7.1.5, §7.1.6).
      if (this.#closeReceived === null) {
        if (this.#state !== READY_STATE.CLOSED) {
          this.#abort(CLOSE_CODE.ABNORMAL, "read failed", error);
        }
        return;
      }
    } finally {
      this.#inputEnded = true;
      this.#wakeConsumer();
    }
    this.#onInputEnd();
  }

  // A text message of one frame that arrived whole in a read (see `FrameDecoder.push`), unmasked
  // as it is decoded straight from the read buffer. Anything the assembler would have to judge
  // goes to it as a frame: a message already in progress, or one over the size limit.
  #onText = (bytes: Uint8Array, start: number, end: number, mask: number): void => {
    if (this.#closeReceived !== null) return;
    const size = end - start;
    if (this.#assembler.inMessage || size > this.#limits.maxMessageSize) {
      if (mask !== 0) _unmask(bytes, start, end, mask);
      this.#onFrame({
        fin: true,
        rsv: 0,
        opcode: OPCODE.TEXT,
        payload: bytes.subarray(start, end),
      });
      return;
    }
    const data = _decodeUtf8Range(bytes, start, end, mask);
    if (this.#metrics !== undefined) this.#countIn(OPCODE.TEXT, true, size, size);
    this.#deliver({ type: "text", data });
  };

  #onFrame = (frame: Frame): void => {
    // The frame's payload may be a view of the read buffer, kept by a message or the assembler.
    this.#viewsHandedOut = true;
    if (this.#closeReceived !== null) return; // RFC 6455 §5.5.1: nothing follows a close.
    const wire = frame.payload.length;
    for (const extension of this.#extensions) frame = extension.decode(frame);
    const event = this.#assembler.push(frame);
    if (this.#metrics !== undefined && frame.opcode < 8) {
      this.#countIn(frame.opcode, frame.fin, frame.payload.length, wire);
    }
    if (event === undefined) return;
    this.#dispatch(event);
    // A text message of one frame is a string now, and nothing refers to its payload: a pooled
    // payload buffer goes back (the decoder ignores any other; it pools none when extensions
    // could see them).
    if (event.type === "text") _returnPayload(this.#decoder, frame.payload);
  };

  // Queues a message for the application; the pump hands the queue over once the whole chunk is
  // decoded.
  #deliver(message: Message): void {
    // An indexed store: `push` here stayed a call into V8's builtin for every message (a profile
    // put it at about 2% of an echo), the store is compiled inline.
    const queue = this.#queue;
    queue[queue.length] = message;
    this.#queuedBytes += message.data.length;
  }

  #dispatch(event: AssemblerEvent): void {
    switch (event.type) {
      case "text":
      case "binary":
        this.#deliver(event);
        return;
      case "ping":
        if (!this.#closeSent) this.#outbound.push(event.reply);
        return;
      case "pong":
        return;
      case "close":
        this.#closeReceived = { code: event.code, reason: event.reason };
        if (!this.#closeSent) {
          this.#closeSent = true;
          this.#outbound.push(event.reply);
        }
        this.#state = READY_STATE.CLOSING;
        this.#outbound.flush();
        this.#finishCloseHandshake();
    }
  }

  #onInputEnd(): void {
    if (this.#state === READY_STATE.CLOSED) return;
    this.#failDeferred();
    if (this.#failure !== null) {
      this.#finish(this.#failure);
    } else if (this.#closeReceived !== null) {
      this.#finish({ ...this.#closeReceived, wasClean: true });
    } else {
      this.#abort(CLOSE_CODE.ABNORMAL, "connection lost");
    }
  }

  async #takeBatch(): Promise<Message[] | null> {
    this.#flushNow();
    let batch = this.#take();
    while (batch === undefined) {
      await new Promise<void>((resolve) => (this.#consumer = resolve));
      batch = this.#take();
    }
    return batch;
  }

  // Takes every queued message (resuming a paused pump): `null` once no more will come,
  // `undefined` while none is queued yet.
  #take(): Message[] | null | undefined {
    if (this.#queue.length === 0 && this.#deferredFailure !== null) this.#failDeferred();
    if (this.#queue.length === 0) {
      return this.#inputEnded || this.#state === READY_STATE.CLOSED ? null : undefined;
    }
    const batch = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    const paused = this.#pumpPaused;
    this.#pumpPaused = null;
    paused?.();
    return batch;
  }

  #wakeConsumer(): void {
    const consumer = this.#consumer;
    this.#consumer = null;
    consumer?.();
  }

  // --- outbound ------------------------------------------------------------------------------

  // Slow-consumer policy: whether a message of `size` bytes may be queued.
  #admit(size: number): boolean {
    const { maxBufferedAmount, slowConsumer } = this.#options;
    if (this.#outbound.bufferedAmount + size <= maxBufferedAmount) return true;
    if (slowConsumer.policy === "drop") {
      this.#droppedMessages++;
      if (this.#metrics !== undefined) this.#metrics.slowConsumerDrops++;
      return false;
    }
    if (this.#metrics !== undefined) this.#metrics.slowConsumerCloses++;
    this.#outbound.discard();
    this.#sendClose(slowConsumer.closeCode, _encoder.encode("slow consumer"));
    return false;
  }

  // Sends coalesce until the application takes its next batch, or until the shared flush timer.
  #scheduleFlush(): void {
    this.#outbound.schedule();
  }

  #flushNow(): void {
    this.#outbound.flush();
  }

  #sendClose(code: number, reason: Uint8Array): void {
    const payload = new Uint8Array(2 + reason.length);
    payload[0] = code >>> 8;
    payload[1] = code & 0xff;
    payload.set(reason, 2);
    this.#closeSent = true;
    this.#state = READY_STATE.CLOSING;
    this.#outbound.push({ fin: true, rsv: 0, opcode: OPCODE.CLOSE, payload });
    this.#flushNow();
    this.#closeTimer = setTimeout(
      () => this.#abort(CLOSE_CODE.ABNORMAL, "close timeout"),
      this.#options.closeTimeout,
    );
  }

  // Both close frames have been exchanged: RFC 6455 §7.1.1, the server closes the TCP
  // connection first; the client waits for that (bounded by the close timeout).
  #finishCloseHandshake(): void {
    const info = { ...this.#closeReceived!, wasClean: true };
    if (this.#options.role === "client") {
      clearTimeout(this.#closeTimer);
      this.#closeTimer = setTimeout(() => this.#finish(info), this.#options.closeTimeout);
      return;
    }
    this.#outbound.drained().then(() => this.#finish(info));
  }

  // Fails the connection for a protocol violation (RFC 6455 §7.1.7): what was already sent goes
  // out, then a close frame with the error's code, then our end of the stream (half-close); the
  // socket is closed once the peer closes its side or after a short linger. §7.1.7 forbids
  // reading the peer's close reply, so without the half-close a client that waits for the server
  // to close first (§7.1.1) would wait for the whole linger.
  #fail(error: ProtocolError): void {
    if (this.#state === READY_STATE.CLOSED || this.#failure !== null) return;
    this.#metrics?.protocolError(error.code);
    this.#failure = { code: error.closeCode, reason: error.code, wasClean: false, error };
    if (!this.#closeSent) this.#sendClose(error.closeCode, _encoder.encode(error.code));
    const linger = Math.min(this.#options.closeTimeout, _FAIL_LINGER);
    this.#outbound.drained().then(() => {
      if (this.#state === READY_STATE.CLOSED) return;
      this.#closeWrite();
      clearTimeout(this.#closeTimer);
      this.#closeTimer = setTimeout(() => this.#finish(this.#failure!), linger);
    });
  }

  // Messages decoded before a protocol error are still the peer's messages: the application gets
  // them, and what it sends in answer goes out before the close frame (as a peer that processes
  // each frame as it arrives would do). The failure waits for the application to take them,
  // bounded by the same linger as a failed connection's close.
  #deferFailure(error: ProtocolError): void {
    this.#deferredFailure = error;
    this.#wakeConsumer();
    const delay = Math.min(this.#options.closeTimeout, _FAIL_LINGER);
    this.#deferTimer = setTimeout(() => this.#failDeferred(), delay);
  }

  #failDeferred(): void {
    const error = this.#deferredFailure;
    if (error === null) return;
    this.#deferredFailure = null;
    clearTimeout(this.#deferTimer);
    this.#fail(error);
  }

  #closeWrite(): void {
    try {
      Promise.resolve(this.#transport.closeWrite?.()).catch(() => {});
    } catch {
      // Already closed.
    }
  }

  #abort(code: number, reason: string, error?: unknown): void {
    const info: CloseInfo = { code, reason, wasClean: false };
    if (error !== undefined) info.error = error;
    this.#finish(info);
  }

  #finish(info: CloseInfo): void {
    if (this.#state === READY_STATE.CLOSED) return;
    this.#state = READY_STATE.CLOSED;
    clearTimeout(this.#closeTimer);
    clearTimeout(this.#deferTimer);
    this.#deferredFailure = null;
    this.#stopKeepalive();
    this.#outbound.fail();
    try {
      this.#transport.close();
    } catch {
      // Already closed by the peer.
    }
    for (const extension of this.#extensions) extension.close();
    this.#inputEnded = true;
    this.#wakeConsumer();
    this.#pumpPaused?.();
    this.#closedResolve(info);
  }

  // --- metrics: plain additions, read when scraped ------------------------------------------

  // A data frame of `size` payload bytes (`wire` before the extensions decoded it).
  #countIn(opcode: number, fin: boolean, size: number, wire: number): void {
    if (opcode !== OPCODE.CONTINUATION) this.#inText = opcode === OPCODE.TEXT;
    _countFrameIn(this.#metrics!, this.#inText, fin, size, wire, this.#extensions.length > 0);
  }

  #countOut(text: boolean, size: number, encoded: number): void {
    _countMessageOut(this.#metrics!, text, size, encoded, this.#extensions.length > 0);
  }

  // --- keepalive -----------------------------------------------------------------------------

  #startKeepalive(): void {
    const { pingInterval, idleTimeout } = this.#options.keepalive;
    if (pingInterval <= 0) return;
    this.#keepaliveGroup = Connection.#keepalive.join(Math.min(pingInterval, idleTimeout), this);
  }

  #stopKeepalive(): void {
    const group = this.#keepaliveGroup;
    if (group === undefined) return;
    this.#keepaliveGroup = undefined;
    Connection.#keepalive.leave(group, this);
  }

  #checkKeepalive(now: number): void {
    // While reading is paused for a slow application, silence is not the peer's fault.
    if (this.#pumpPaused !== null) {
      this.#lastReceived = now;
      return;
    }
    const { pingInterval, idleTimeout } = this.#options.keepalive;
    const silent = now - this.#lastReceived;
    if (silent >= idleTimeout) {
      if (this.#metrics !== undefined) this.#metrics.keepaliveTimeouts++;
      this.#abort(CLOSE_CODE.ABNORMAL, "keepalive timeout");
    } else if (silent >= pingInterval) this.ping();
  }
}
