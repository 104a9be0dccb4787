/**
 * Shared drivers for the decoder and assembler tests: push a chunking through the sans-I/O
 * cores, record what came out and where the first error was thrown.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type AssemblerEvent,
  createFrameDecoder,
  createMessageAssembler,
  encodeFrame,
  type Frame,
  type FrameDecoderOptions,
  type MessageAssemblerOptions,
  ProtocolError,
  type ProtocolErrorCode,
} from "../../src/protocol/mod.ts";

/** What a run produced. */
export interface RunResult<T> {
  /** Values emitted before the end or the error. */
  out: T[];
  /** The error thrown, if any. */
  error: unknown;
  /** Input bytes pushed before the push (or `end()`) that threw. */
  bytesBefore: number;
  /** Length of the chunk whose push threw (0 when `end()` threw). */
  chunkLength: number;
}

function run<T>(
  chunks: readonly Uint8Array[],
  push: (chunk: Uint8Array, emit: (value: T) => void) => void,
  end: () => void,
): RunResult<T> {
  const out: T[] = [];
  let bytesBefore = 0;
  for (const chunk of chunks) {
    try {
      push(chunk, (value) => out.push(value));
    } catch (error) {
      return { out, error, bytesBefore, chunkLength: chunk.length };
    }
    bytesBefore += chunk.length;
  }
  try {
    end();
  } catch (error) {
    return { out, error, bytesBefore, chunkLength: 0 };
  }
  return { out, error: undefined, bytesBefore, chunkLength: 0 };
}

/** Decodes `chunks` into frames, then calls `end()`. */
export function decodeFrames(
  chunks: readonly Uint8Array[],
  options: FrameDecoderOptions,
): RunResult<Frame> {
  const decoder = createFrameDecoder(options);
  return run<Frame>(chunks, (chunk, emit) => decoder.push(chunk, emit), () => decoder.end());
}

/** Decodes `chunks` into frames and assembles them into messages and control events. */
export function decodeEvents(
  chunks: readonly Uint8Array[],
  options: FrameDecoderOptions,
  assemblerOptions: MessageAssemblerOptions = {},
): RunResult<AssemblerEvent> {
  const decoder = createFrameDecoder(options);
  const assembler = createMessageAssembler(assemblerOptions);
  return run<AssemblerEvent>(
    chunks,
    (chunk, emit) =>
      decoder.push(chunk, (frame) => {
        const event = assembler.push(frame);
        if (event !== undefined) emit(event);
      }),
    () => decoder.end(),
  );
}

/** Asserts that `error` is a {@linkcode ProtocolError} with this code and close code. */
export function assertProtocolError(
  error: unknown,
  code: ProtocolErrorCode,
  closeCode: number,
  context = "",
): asserts error is ProtocolError {
  assert.ok(error instanceof ProtocolError, `${context}: expected a ProtocolError, got ${error}`);
  assert.equal(error.name, "ProtocolError");
  assert.equal(error.code, code, `${context}: code`);
  assert.equal(error.closeCode, closeCode, `${context}: closeCode`);
}

/**
 * Asserts that a run failed with this error while pushing the chunk that holds byte `index` of
 * the input: not earlier (a false alarm) and not later (it must fail fast).
 */
export function assertFailsAtByte<T>(
  result: RunResult<T>,
  index: number,
  context: string,
): void {
  assert.ok(
    result.bytesBefore <= index && index < result.bytesBefore + result.chunkLength,
    `${context}: expected to fail in the chunk holding byte ${index}, failed after ${result.bytesBefore} bytes in a chunk of ${result.chunkLength}`,
  );
}

/** The text of a UTF-8 byte array. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Copies a frame's fields into plain values for deep comparison. */
export function plainFrame(
  frame: Frame,
): { fin: boolean; rsv: number; opcode: number; payload: number[] } {
  return { fin: frame.fin, rsv: frame.rsv, opcode: frame.opcode, payload: [...frame.payload] };
}

/** Encodes frames back to back, masked with `mask` when given (client to server). */
export function wire(frames: readonly Frame[], mask?: Uint8Array): Uint8Array {
  const parts = frames.map((frame) => encodeFrame(frame, mask === undefined ? {} : { mask }));
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A frame literal with FIN and RSV defaulted. */
export function frame(opcode: Frame["opcode"], payload: Uint8Array | string, fin = true): Frame {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return { fin, rsv: 0, opcode, payload: bytes };
}

/** Reads a stream to its end, returning what it produced and the error it ended with. */
export async function drain<T>(
  readable: ReadableStream<T>,
): Promise<{ out: T[]; error: unknown }> {
  const out: T[] = [];
  const reader = readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { out, error: undefined };
      out.push(value);
    }
  } catch (error) {
    return { out, error };
  }
}
