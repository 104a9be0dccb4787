/**
 * A WebSocket peer that speaks raw bytes, the way Autobahn|Testsuite does: it writes hand-made
 * frames (built with `encodeFrame`, masked when it plays the client, patched by hand when a test
 * needs a frame the encoder refuses to build) and decodes whatever comes back with a strict
 * frame decoder, so a malformed reply fails the test too.
 *
 * Reading is pull-driven: nothing is read from the transport until a test asks for a frame, so a
 * test can stop reading to exert backpressure.
 *
 * @module
 */
import {
  createFrameDecoder,
  encodeFrame,
  type Frame,
  type FrameDecoder,
  OPCODE,
  type Role,
} from "../../src/protocol/mod.ts";
import { TimeoutError, withTimeout } from "./_timing.ts";

/** The byte stream the peer runs over: an in-memory transport or a TCP connection. */
export interface RawTransport {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  close(): void;
}

/** A frame to send. Defaults: `fin` true, `rsv` 0, empty payload, masked iff the peer is a client. */
export interface FrameSpec {
  /** Any 4-bit opcode, reserved ones included. */
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
}

/** A data message as the peer received it. */
export interface ReceivedMessage {
  opcode: typeof OPCODE.TEXT | typeof OPCODE.BINARY;
  data: Uint8Array;
  /** Number of frames it came in. */
  frames: number;
}

/** A close frame as the peer received it. */
export interface ReceivedClose {
  /** The status code, or `undefined` for an empty close frame. */
  code: number | undefined;
  reason: string;
  /** Raw payload. */
  payload: Uint8Array;
}

const _encoder = new TextEncoder();
const _decoder = new TextDecoder();

/** Encodes any frame, including ones `encodeFrame` refuses (reserved opcodes, bad control frames). */
export function frameBytes(spec: FrameSpec, defaultMask: boolean): Uint8Array {
  const payload = typeof spec.payload === "string"
    ? _encoder.encode(spec.payload)
    : spec.payload ?? new Uint8Array(0);
  const fin = spec.fin ?? true;
  const rsv = spec.rsv ?? 0;
  const mask = spec.mask ?? defaultMask;
  const valid = (spec.opcode <= 0x2 || (spec.opcode >= 0x8 && spec.opcode <= 0xa)) &&
    (spec.opcode < 0x8 || (fin && payload.length <= 125));
  if (valid) {
    return encodeFrame({ fin, rsv, opcode: spec.opcode as Frame["opcode"], payload }, { mask });
  }
  // Build a frame the encoder accepts, then put the wanted opcode and FIN bit in byte 0.
  const bytes = encodeFrame({ fin, rsv, opcode: OPCODE.BINARY, payload }, { mask });
  bytes[0] = (fin ? 0x80 : 0) | (rsv << 4) | (spec.opcode & 0x0f);
  return bytes;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A close frame payload: big-endian code, then the reason bytes. */
export function closePayload(code: number, reason: Uint8Array | string = ""): Uint8Array {
  const bytes = typeof reason === "string" ? _encoder.encode(reason) : reason;
  const payload = new Uint8Array(2 + bytes.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(bytes, 2);
  return payload;
}

/** The raw peer. `role` is the role it plays: `"client"` masks its frames. */
export class RawPeer {
  readonly role: Role;
  /** Bytes read from the transport so far. */
  bytesRead = 0;
  /** Bytes whose write completed so far. */
  bytesWritten = 0;
  /** Pings received while waiting for other frames (keepalive pings), in order. */
  readonly pings: Uint8Array[] = [];
  /** Whether the input ended with an error (a TCP reset) rather than a clean end. */
  reset = false;
  readonly #transport: RawTransport;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #decoder: FrameDecoder;
  #frames: Frame[] = [];
  #pendingRead: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  #pendingWrites = new Set<Promise<void>>();
  #eof = false;
  #closed = false;

  constructor(
    transport: RawTransport,
    role: Role,
    options: { reader?: ReadableStreamDefaultReader<Uint8Array>; leftover?: Uint8Array } = {},
  ) {
    this.#transport = transport;
    this.role = role;
    this.#reader = options.reader ?? transport.readable.getReader();
    this.#writer = transport.writable.getWriter();
    // The peer checks what it receives as strictly as our own decoder: a server must not mask,
    // a client must.
    this.#decoder = createFrameDecoder({ role, maxFrameSize: 2 ** 31 });
    if (options.leftover !== undefined && options.leftover.length > 0) {
      this.#accept(options.leftover);
    }
  }

  /** Whether the input has ended (EOF or reset). */
  get eof(): boolean {
    return this.#eof && this.#frames.length === 0;
  }

  /** Writes raw bytes; resolves when the transport accepted them. */
  write(bytes: Uint8Array): Promise<void> {
    const write = this.#writer.write(bytes).then(() => {
      this.bytesWritten += bytes.length;
    });
    this.#pendingWrites.add(write);
    write.then(
      () => this.#pendingWrites.delete(write),
      () => this.#pendingWrites.delete(write),
    );
    return write;
  }

  /** Writes raw bytes; `false` when the write has not completed within `ms` (it stays queued). */
  async tryWrite(bytes: Uint8Array, ms: number): Promise<boolean> {
    const write = this.write(bytes);
    try {
      await withTimeout(write, ms, "write");
      return true;
    } catch (error) {
      if (error instanceof TimeoutError) return false;
      throw error;
    }
  }

  /** Resolves when every write issued so far has completed (or failed). */
  async flushed(ms = 5_000): Promise<void> {
    await withTimeout(
      Promise.allSettled([...this.#pendingWrites]).then(() => {}),
      ms,
      "pending writes",
    );
  }

  /** The bytes of a frame as this peer would send it. */
  frame(spec: FrameSpec): Uint8Array {
    return frameBytes(spec, this.role === "client");
  }

  /** Sends one frame. */
  send(spec: FrameSpec): Promise<void> {
    return this.write(this.frame(spec));
  }

  /** Sends several frames in one write. */
  sendAll(specs: readonly FrameSpec[]): Promise<void> {
    return this.write(concatBytes(specs.map((s) => this.frame(s))));
  }

  /** Sends a text message in one frame. */
  sendText(text: string): Promise<void> {
    return this.send({ opcode: OPCODE.TEXT, payload: text });
  }

  /** Sends a close frame with `code` and `reason`, or an empty one when `code` is undefined. */
  sendClose(code?: number, reason: Uint8Array | string = ""): Promise<void> {
    return this.send({
      opcode: OPCODE.CLOSE,
      payload: code === undefined ? new Uint8Array(0) : closePayload(code, reason),
    });
  }

  /** The next frame, or `null` at the end of input. Rejects with a TimeoutError after `ms`. */
  async readFrame(ms = 2_000): Promise<Frame | null> {
    const deadline = Date.now() + ms;
    while (this.#frames.length === 0) {
      if (this.#eof) return null;
      await this.#fill(deadline);
    }
    return this.#frames.shift()!;
  }

  /**
   * The next data message, joining fragments. Pings are recorded in {@linkcode pings} and
   * skipped, as are pongs; a close frame throws.
   */
  async readMessage(ms = 2_000): Promise<ReceivedMessage> {
    const deadline = Date.now() + ms;
    const parts: Uint8Array[] = [];
    let opcode: ReceivedMessage["opcode"] | 0 = 0;
    while (true) {
      const frame = await this.readFrame(deadline - Date.now());
      if (frame === null) throw new Error("Cannot read message: input ended");
      if (frame.opcode === OPCODE.PING) {
        this.pings.push(frame.payload);
        continue;
      }
      if (frame.opcode === OPCODE.PONG) continue;
      if (frame.opcode === OPCODE.CLOSE) {
        const close = _parseClose(frame.payload);
        throw new Error(`Cannot read message: got close ${close.code} ${close.reason}`);
      }
      if (frame.opcode === OPCODE.CONTINUATION) {
        if (opcode === 0) throw new Error("Peer got a continuation without a start");
      } else {
        if (opcode !== 0) throw new Error("Peer got a new message inside a fragmented one");
        opcode = frame.opcode;
      }
      parts.push(frame.payload);
      if (frame.fin) return { opcode, data: concatBytes(parts), frames: parts.length };
    }
  }

  /** The next message, which must be text; returns the text. */
  async readText(ms = 2_000): Promise<string> {
    const message = await this.readMessage(ms);
    if (message.opcode !== OPCODE.TEXT) throw new Error("Expected a text message, got binary");
    return _decoder.decode(message.data);
  }

  /**
   * Reads until a close frame and returns it; data frames before it are returned in `before`.
   * Throws when the input ends first.
   */
  async readClose(ms = 2_000): Promise<ReceivedClose & { before: Frame[] }> {
    const deadline = Date.now() + ms;
    const before: Frame[] = [];
    while (true) {
      const frame = await this.readFrame(deadline - Date.now());
      if (frame === null) {
        throw new Error(
          `Cannot read close frame: input ended${this.reset ? " with a reset" : ""} after ` +
            `${before.length} frames`,
        );
      }
      if (frame.opcode === OPCODE.CLOSE) return { ..._parseClose(frame.payload), before };
      if (frame.opcode === OPCODE.PING) this.pings.push(frame.payload);
      before.push(frame);
    }
  }

  /** Reads until the end of input; returns the frames that came before it. */
  async readToEnd(ms = 2_000): Promise<Frame[]> {
    const deadline = Date.now() + ms;
    const frames: Frame[] = [];
    while (true) {
      const frame = await this.readFrame(deadline - Date.now());
      if (frame === null) return frames;
      frames.push(frame);
    }
  }

  /** Closes the transport at once (both directions). Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pendingRead?.catch(() => {});
    for (const write of this.#pendingWrites) write.catch(() => {});
    try {
      this.#transport.close();
    } catch {
      // Already closed.
    }
  }

  async #fill(deadline: number): Promise<void> {
    this.#pendingRead ??= this.#reader.read();
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await withTimeout(this.#pendingRead, deadline - Date.now(), "peer read");
    } catch (error) {
      if (error instanceof TimeoutError) throw error;
      this.#pendingRead = null;
      this.reset = true;
      this.#eof = true;
      return;
    }
    this.#pendingRead = null;
    if (result.done) {
      this.#eof = true;
      return;
    }
    this.#accept(result.value);
  }

  #accept(chunk: Uint8Array): void {
    this.bytesRead += chunk.length;
    this.#decoder.push(chunk, (frame) => {
      this.#frames.push({ ...frame, payload: frame.payload.slice() });
    });
  }
}

function _parseClose(payload: Uint8Array): ReceivedClose {
  if (payload.length < 2) return { code: undefined, reason: "", payload };
  return {
    code: (payload[0]! << 8) | payload[1]!,
    reason: _decoder.decode(payload.subarray(2)),
    payload,
  };
}
