/**
 * The example frames of RFC 6455 §5.7 as hex, with what they decode to. Masked examples use the
 * RFC's key 37 fa 21 3d.
 *
 * @module
 */
import { concat, hex } from "./_split.ts";

/** The masking key used by every masked example in RFC 6455 §5.7. */
export const RFC_MASK: Uint8Array = hex("37 fa 21 3d");

/** One example: the wire bytes and the frames they carry. */
export interface FrameVector {
  name: string;
  bytes: Uint8Array;
  masked: boolean;
  frames: {
    fin: boolean;
    rsv: number;
    opcode: 0x0 | 0x1 | 0x2 | 0x8 | 0x9 | 0xa;
    payload: Uint8Array;
  }[];
}

const hello = new TextEncoder().encode("Hello");
const bytes256 = Uint8Array.from({ length: 256 }, (_, i) => i);
const bytes64k = Uint8Array.from({ length: 65536 }, (_, i) => (i * 7 + 3) & 0xff);

/** The §5.7 examples (plus the masked ping and unmasked pong counterparts). */
export const RFC_VECTORS: FrameVector[] = [
  {
    name: "a single-frame unmasked text message",
    bytes: hex("81 05 48 65 6c 6c 6f"),
    masked: false,
    frames: [{ fin: true, rsv: 0, opcode: 0x1, payload: hello }],
  },
  {
    name: "a single-frame masked text message",
    bytes: hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
    masked: true,
    frames: [{ fin: true, rsv: 0, opcode: 0x1, payload: hello }],
  },
  {
    name: "a fragmented unmasked text message",
    bytes: hex("01 03 48 65 6c 80 02 6c 6f"),
    masked: false,
    frames: [
      { fin: false, rsv: 0, opcode: 0x1, payload: hello.subarray(0, 3) },
      { fin: true, rsv: 0, opcode: 0x0, payload: hello.subarray(3) },
    ],
  },
  {
    name: "an unmasked ping",
    bytes: hex("89 05 48 65 6c 6c 6f"),
    masked: false,
    frames: [{ fin: true, rsv: 0, opcode: 0x9, payload: hello }],
  },
  {
    name: "a masked ping",
    bytes: hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"),
    masked: true,
    frames: [{ fin: true, rsv: 0, opcode: 0x9, payload: hello }],
  },
  {
    name: "a masked pong",
    bytes: hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"),
    masked: true,
    frames: [{ fin: true, rsv: 0, opcode: 0xa, payload: hello }],
  },
  {
    name: "an unmasked pong",
    bytes: hex("8a 05 48 65 6c 6c 6f"),
    masked: false,
    frames: [{ fin: true, rsv: 0, opcode: 0xa, payload: hello }],
  },
  {
    name: "a 256-byte unmasked binary message (16-bit length)",
    bytes: concat(hex("82 7e 01 00"), bytes256),
    masked: false,
    frames: [{ fin: true, rsv: 0, opcode: 0x2, payload: bytes256 }],
  },
  {
    name: "a 64 KiB unmasked binary message (64-bit length)",
    bytes: concat(hex("82 7f 00 00 00 00 00 01 00 00"), bytes64k),
    masked: false,
    frames: [{ fin: true, rsv: 0, opcode: 0x2, payload: bytes64k }],
  },
];
