/**
 * Shared inputs for the protocol benchmarks, and the `ws` reference driven synchronously.
 *
 * Every AeroSocket case and its `ws` counterpart read the same bytes. Inputs are built once, at
 * module load, so that no benchmark measures its own set-up.
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import { encodedFrameSize, encodeFrameInto, type Frame, OPCODE } from "../../src/protocol/mod.ts";

/** Payload sizes every case is measured at. */
export const SIZES: readonly (readonly [label: string, bytes: number])[] = [
  ["32 B", 32],
  ["1 KiB", 1024],
  ["64 KiB", 64 * 1024],
  ["1 MiB", 1024 * 1024],
];

/** Frames in the per-frame overhead case, and the payload size of each. */
export const BATCH_FRAMES = 1000;
/** Payload bytes of each frame in the batch case. */
export const BATCH_PAYLOAD = 32;

/**
 * The masking key of every masked input. Each byte is below 0x80 and non-zero: unmasking in place
 * (which both libraries do when they own the input) turns ASCII into ASCII, so an input reused by
 * every iteration stays valid text whichever way it was last flipped, and `ws` cannot take its
 * all-zero-key shortcut.
 */
export const MASK_KEY: Uint8Array = new Uint8Array([0x37, 0x7a, 0x21, 0x3d]);

/** Deterministic pseudo-random bytes (xorshift32), so every run measures the same input. */
export function binaryPayload(size: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const _MIXED =
  "Hello, wörld! Καλημέρα κόσμε. こんにちは世界 😀 — plain ASCII keeps most chats short. ";

/** Exactly `size` bytes of valid UTF-8 mixing 1-, 2-, 3- and 4-byte sequences. */
export function mixedText(size: number): Uint8Array {
  const sample = new TextEncoder().encode(_MIXED);
  const out = new Uint8Array(size);
  let pos = 0;
  while (pos + sample.length <= size) {
    out.set(sample, pos);
    pos += sample.length;
  }
  out.fill(0x61, pos); // ASCII tail: never cuts a sequence.
  return out;
}

/** Exactly `size` bytes of printable ASCII. */
export function asciiText(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = 0x20 + (i * 7) % 95;
  return out;
}

/** Encodes `frames` back to back into one chunk, masked with {@linkcode MASK_KEY} if asked. */
export function wire(frames: readonly Frame[], masked: boolean): Uint8Array {
  let size = 0;
  for (const f of frames) size += encodedFrameSize(f.payload.length, masked);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const f of frames) {
    offset = encodeFrameInto(f, out, offset, masked ? { mask: MASK_KEY } : {});
  }
  return out;
}

/** One final frame. */
export function frameOf(opcode: 0x1 | 0x2, payload: Uint8Array): Frame {
  return { fin: true, rsv: 0, opcode, payload };
}

/** Splits `payload` into `count` frames (first `opcode`, then continuations). */
export function fragments(opcode: 0x1 | 0x2, payload: Uint8Array, count: number): Frame[] {
  const step = Math.ceil(payload.length / count);
  const out: Frame[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      fin: i === count - 1,
      rsv: 0,
      opcode: i === 0 ? opcode : OPCODE.CONTINUATION,
      payload: payload.subarray(i * step, Math.min((i + 1) * step, payload.length)),
    });
  }
  return out;
}

/** A `Buffer` view over the same bytes (what `ws` receives from a Node socket). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Throws unless `condition` holds; used to check, once, that both sides did the same work. */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Benchmark input check failed: ${what}`);
}

// --- ws ---------------------------------------------------------------------------------------

const _require = createRequire(import.meta.url);
// `ws` ships no types for its Receiver and Sender, and does not export its helpers: load the
// pinned package (the `ws` entry of deno.json) through `require`, and the helpers from the same
// installed copy by path, so the benchmark calls exactly the functions its Receiver and Sender call.
const _ws: {
  Receiver: new (options: object) => WsReceiver;
  Sender: { frame(data: Buffer, options: WsFrameOptions): Buffer[] };
} = _require("ws");
const _wsDir = _require.resolve("ws").replace(/index\.js$/, "");

/** The part of `ws`'s Receiver the benchmarks use (ws 8: a `Writable`). */
export interface WsReceiver {
  _write(chunk: Buffer, encoding: string, cb: (error?: Error) => void): void;
  write(chunk: Buffer): boolean;
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
}

/** Options of `ws`'s `Sender.frame()`. */
export interface WsFrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}

/** `ws`'s static frame builder: returns `[header, payload]` or `[header+payload]`. */
export const wsFrame: (data: Buffer, options: WsFrameOptions) => Buffer[] = _ws.Sender.frame;

/**
 * A `ws` Receiver as its WebSocket creates it (`isServer` for the server side, no extensions,
 * `nodebuffer` binary type, synchronous events), with `onMessage` as its `'message'` listener.
 */
export function wsReceiver(
  isServer: boolean,
  onMessage: (data: Buffer, isBinary: boolean) => void,
): WsReceiver {
  const receiver = new _ws.Receiver({ isServer, allowSynchronousEvents: true });
  receiver.on("message", onMessage);
  receiver.on("error", (error) => {
    throw error;
  });
  return receiver;
}

/** A no-op write callback. */
export function noop(): void {}

/** `ws`'s in-place unmask (`lib/buffer-util.js`), as its Receiver uses it. */
export const wsUnmask: (buffer: Buffer, mask: Buffer) => void =
  _require(`${_wsDir}lib/buffer-util.js`).unmask;

/** `ws`'s UTF-8 validator (`lib/validation.js`), as its Receiver uses it. */
export const wsIsValidUtf8: (buffer: Buffer) => boolean =
  _require(`${_wsDir}lib/validation.js`).isValidUTF8;

/** Which optional native paths `ws` took on this runtime; printed in the docs. */
export function wsPaths(): { mask: string; utf8: string } {
  const mask = /websocketMask|bufferUtil/.test(String(wsUnmask)) ? "native" : "JavaScript loop";
  const utf8 = /isUtf8/.test(String(wsIsValidUtf8))
    ? "node:buffer isUtf8 (>= 24 B), JavaScript below"
    : /isValidUTF8\(buf\)/.test(String(wsIsValidUtf8))
    ? "utf-8-validate addon"
    : "JavaScript";
  return { mask, utf8 };
}
