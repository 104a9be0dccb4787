import type { Extension } from "../../src/extensions/mod.ts";
import {
  type AssemblerEvent,
  createMessageAssembler,
  fragmentMessage,
  type Frame,
  OPCODE,
} from "../../src/protocol/mod.ts";

/** Bytes from a hex string with optional spaces ("f2 48 cd"). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  return new Uint8Array(clean.match(/../g)?.map((byte) => parseInt(byte, 16)) ?? []);
}

/** A frame literal. */
export function frame(opcode: Frame["opcode"], payload: Uint8Array, fin = true, rsv = 0): Frame {
  return { fin, rsv, opcode, payload };
}

/**
 * Sends one message from `sender` to `receiver` through encode → fragment → decode → assemble,
 * returning the message the receiver's assembler produced and the frames on the wire.
 */
export function transfer(
  sender: Extension,
  receiver: Extension,
  opcode: 1 | 2,
  payload: Uint8Array,
  fragmentSize = Number.MAX_SAFE_INTEGER,
  assembler = createMessageAssembler(),
): { event: AssemblerEvent | undefined; wire: Frame[] } {
  const encoded = sender.encode(opcode, payload);
  const wire = fragmentMessage(opcode, encoded.payload, { fragmentSize, rsv: encoded.rsv });
  let event: AssemblerEvent | undefined;
  for (const piece of wire) event = assembler.push(receiver.decode(piece));
  return { event, wire };
}

/** A JSON-like payload of about `size` bytes, repetitive as real traffic is. */
export function jsonLike(size: number, seed = 0): Uint8Array {
  return new TextEncoder().encode(jsonLikeText(size, seed));
}

/** {@linkcode jsonLike} as text: `size` characters, all ASCII, different for each seed. */
export function jsonLikeText(size: number, seed = 0): string {
  let text = "[";
  for (let i = seed; text.length < size; i++) {
    text += JSON.stringify({ id: i, user: `user${i % 17}`, text: `message ${(i * 7919) % 1000}` });
    text += ",";
  }
  return text.slice(0, size);
}

/** Binary data that does not compress. */
export function noise(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export { OPCODE };
