import type { FrameDecoder } from "../protocol/frame_decoder.ts";

// Read sizes on byte-stream transports (sockets): a pending read holds its buffer until the peer
// sends something, so an idle connection waits with a small one; a read that fills its buffer
// doubles the next, one that does not sizes the next to what it got.

/** @internal The smallest read after the first. */
export const _MIN_READ = 1024;
const _MAX_READ = 64 * 1024;
/**
 * @internal A connection's first read is smaller still: many connections wait long for the
 * peer's first message (or never get one), and a first message that does not fit costs one more
 * read, once.
 */
export const _FIRST_READ = 256;
// The rest of a frame split across reads is read straight into the frame's payload buffer when
// at least this much of it is missing; a smaller rest is read with whatever follows it.
const _DIRECT_READ = 8 * 1024;

/**
 * @internal The unfilled payload of a frame in progress when it is large enough to be read in
 * place.
 */
export function _directRegion(decoder: FrameDecoder): Uint8Array | undefined {
  const region = decoder.pendingPayload();
  return region !== undefined && region.length >= _DIRECT_READ ? region : undefined;
}

/**
 * @internal The size of the next read into our own buffer: a read that filled its buffer doubles
 * it (to `_MIN_READ` at least); one that did not shrinks it to the power of two that would have
 * held what it got, so a connection that falls quiet after a burst (its last read is a short one)
 * does not wait on 64 KiB. While a frame is incomplete (`pending` is the size of its buffered
 * payload), the read is sized for it.
 */
export function _nextReadSize(size: number, read: number, pending: number): number {
  if (read === size) return Math.max(Math.min(size * 2, _MAX_READ), _MIN_READ);
  const want = Math.max(read, pending);
  let next = _MIN_READ;
  while (next < want && next < _MAX_READ) next *= 2;
  return next;
}
