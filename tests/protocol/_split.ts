/**
 * Chunkings of a byte sequence, so that every decoder test runs with its input whole, byte by
 * byte, split at every header boundary and split at every single point (or a bounded selection of
 * points for large inputs). Each chunking gets fresh copies of the bytes, so a decoder that
 * unmasks in place cannot disturb the next run.
 *
 * @module
 */

/** One way of cutting the input into chunks. */
export interface Chunking {
  /** Readable description, used in assertion messages. */
  name: string;
  /** The chunks, in order; their concatenation is the input. */
  chunks: Uint8Array[];
}

/** Options for {@linkcode chunkings}. */
export interface ChunkingOptions {
  /**
   * Inputs up to this many bytes are also split at every single point; larger ones only at the
   * header boundaries and a few points inside each payload.
   *
   * @default {512}
   */
  everyPointUpTo?: number;
  /**
   * Whether to include the byte-by-byte chunking.
   *
   * @default {true}
   */
  byteByByte?: boolean;
}

/** Parses a hex string such as `"81 05 48 65"` (whitespace ignored). */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw new TypeError(`Cannot parse hex: ${text}`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Concatenates byte arrays into a new one. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The offsets inside `bytes` where a frame header field starts or ends: after the first byte,
 * after the length byte, after the extended length, after the mask key, in the middle of the
 * payload and at the end of each frame. Walks the frames with its own minimal header reading
 * (independent of the decoder under test) and stops quietly at truncated or odd input.
 */
export function headerBoundaries(bytes: Uint8Array): number[] {
  const points = new Set<number>();
  let pos = 0;
  while (pos + 2 <= bytes.length) {
    const b1 = bytes[pos + 1]!;
    const len7 = b1 & 0x7f;
    const extLength = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const maskLength = (b1 & 0x80) !== 0 ? 4 : 0;
    points.add(pos + 1);
    points.add(pos + 2);
    if (extLength === 8) points.add(pos + 3); // the byte carrying the 64-bit length's top bit
    points.add(pos + 2 + extLength);
    points.add(pos + 2 + extLength + maskLength);
    const start = pos + 2 + extLength + maskLength;
    if (start > bytes.length) break;
    let length = len7;
    if (extLength === 2) length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (extLength === 8) {
      length = 0;
      for (let i = 0; i < 8; i++) length = length * 256 + bytes[pos + 2 + i]!;
    }
    points.add(start + 1);
    points.add(start + Math.floor(length / 2));
    points.add(start + length - 1);
    points.add(start + length);
    pos = start + length;
  }
  return [...points].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b);
}

/** Cuts `bytes` at the given sorted offsets, copying each piece. */
export function splitAt(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, point));
    start = point;
  }
  return chunks;
}

/**
 * Every chunking a decoder test runs with: whole; split at all header boundaries at once; split
 * at each header boundary alone; split at every single point (small inputs); byte by byte.
 */
export function chunkings(bytes: Uint8Array, options: ChunkingOptions = {}): Chunking[] {
  const { everyPointUpTo = 512, byteByByte = true } = options;
  const boundaries = headerBoundaries(bytes);
  const result: Chunking[] = [{ name: "whole", chunks: [bytes.slice()] }];
  if (boundaries.length > 0) {
    result.push({ name: "split at every header boundary", chunks: splitAt(bytes, boundaries) });
  }
  const single = new Set(boundaries);
  if (bytes.length <= everyPointUpTo) {
    for (let i = 1; i < bytes.length; i++) single.add(i);
  }
  for (const point of [...single].sort((a, b) => a - b)) {
    result.push({ name: `split at ${point}`, chunks: splitAt(bytes, [point]) });
  }
  if (byteByByte && bytes.length > 1) {
    result.push({
      name: "byte by byte",
      chunks: Array.from({ length: bytes.length }, (_, i) => bytes.slice(i, i + 1)),
    });
  }
  return result;
}
