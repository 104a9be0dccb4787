import type { Frame } from "./frame.ts";
import { OPCODE } from "./opcode.ts";

/** Options for {@linkcode fragmentMessage}. */
export interface FragmentOptions {
  /** Largest payload per frame, in bytes. */
  fragmentSize: number;
  /**
   * RSV bits for the first frame (an extension's per-message bit, such as RSV1 for a compressed
   * message).
   *
   * @default {0}
   */
  rsv?: number;
}

/**
 * Splits a message into frames of at most `fragmentSize` payload bytes (RFC 6455 §5.4): the first
 * frame carries `opcode`, the rest are continuations, only the last has FIN. Payloads are views
 * over `payload`. An empty message is one empty frame.
 *
 * @throws {RangeError} when `fragmentSize` is not a positive integer or `opcode` is not TEXT or
 * BINARY.
 *
 * @example
 * ```ts
 * import { fragmentMessage, OPCODE } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const frames = fragmentMessage(OPCODE.BINARY, new Uint8Array(10), { fragmentSize: 4 });
 * assert.deepEqual(frames.map((f) => [f.opcode, f.fin, f.payload.length]), [
 *   [OPCODE.BINARY, false, 4],
 *   [OPCODE.CONTINUATION, false, 4],
 *   [OPCODE.CONTINUATION, true, 2],
 * ]);
 * ```
 */
export function fragmentMessage(
  opcode: typeof OPCODE.TEXT | typeof OPCODE.BINARY,
  payload: Uint8Array,
  options: FragmentOptions,
): Frame[] {
  const { fragmentSize, rsv = 0 } = options;
  if (opcode !== OPCODE.TEXT && opcode !== OPCODE.BINARY) {
    throw new RangeError(`Cannot fragment message: opcode ${opcode} is not a data opcode`);
  }
  if (!Number.isSafeInteger(fragmentSize) || fragmentSize <= 0) {
    throw new RangeError(`Cannot fragment message: invalid fragmentSize ${fragmentSize}`);
  }
  const frames: Frame[] = [];
  let offset = 0;
  do {
    const end = Math.min(offset + fragmentSize, payload.length);
    frames.push({
      fin: end === payload.length,
      // RFC 7692 §6.1: per-message RSV bits go on the first frame only.
      rsv: offset === 0 ? rsv : 0,
      opcode: offset === 0 ? opcode : OPCODE.CONTINUATION,
      payload: payload.subarray(offset, end),
    });
    offset = end;
  } while (offset < payload.length);
  return frames;
}
