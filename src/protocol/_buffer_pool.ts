/**
 * @internal Large byte buffers that are needed only for a moment, shared by every connection of
 * the process: the write buffer of an outbound frame too large for a connection's slab, and the
 * payload buffer of an inbound text frame that arrived over several reads (decoded into a string,
 * then free). Sizes are powers of two, so that a buffer serves any later request of similar size;
 * buffers up to {@linkcode _POOLED_MAX} are kept, up to 8 MiB in all sizes together.
 *
 * Reusing them matters more than the allocation itself: a stream of large messages that each got
 * a fresh buffer churned through external (`ArrayBuffer`) memory fast enough to set off a full
 * collection every few hundred messages (measured: with 4 connections echoing 256 KiB text, a
 * mark-compact about every 75 ms, a fifth of the server's time).
 *
 * A pooled buffer holds whatever its last user wrote: hand out only views of what was written
 * since it was taken.
 *
 * @module
 */

/** @internal The largest buffer kept for reuse; larger requests get a buffer of their own. */
export const _POOLED_MAX = 4 * 1024 * 1024;
// All pooled buffers together: enough for 16 connections writing 256 KiB messages at once.
const _POOL_BYTES = 8 * 1024 * 1024;
// The smallest size class.
const _MIN_SIZE = 1024;

// Free buffers by size.
const _free = new Map<number, Uint8Array[]>();
let _pooled = 0;

/**
 * @internal A buffer of at least `size` bytes: the power of two that holds it (1 KiB at least),
 * from the pool when one is free, or of exactly `size` bytes over {@linkcode _POOLED_MAX}. Its
 * contents are undefined.
 */
export function _takeBuffer(size: number): Uint8Array {
  if (size > _POOLED_MAX) return new Uint8Array(size);
  let rounded = _MIN_SIZE;
  while (rounded < size) rounded *= 2;
  const pooled = _free.get(rounded)?.pop();
  if (pooled === undefined) return new Uint8Array(rounded);
  _pooled -= rounded;
  return pooled;
}

/**
 * @internal Returns a whole buffer from {@linkcode _takeBuffer} to the pool once nothing refers to
 * it any more. Anything else (a view, a buffer of another size, one past the pool's total) is
 * left to the collector.
 */
export function _releaseBuffer(buffer: Uint8Array): void {
  const size = buffer.length;
  if (
    size < _MIN_SIZE || size > _POOLED_MAX || (size & (size - 1)) !== 0 ||
    buffer.byteOffset !== 0 || buffer.buffer.byteLength !== size
  ) {
    return;
  }
  if (_pooled + size > _POOL_BYTES) return;
  let free = _free.get(size);
  if (free === undefined) _free.set(size, free = []);
  free.push(buffer);
  _pooled += size;
}

/** @internal Bytes held by the pool now: tests. */
export function _pooledBytes(): number {
  return _pooled;
}
