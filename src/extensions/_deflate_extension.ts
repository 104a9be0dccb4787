import {
  CLOSE_CODE,
  type Frame,
  PROTOCOL_ERROR_CODE,
  ProtocolError,
  RSV1,
} from "../protocol/mod.ts";
import type { _DeflateLease, _DeflatePool } from "./_deflate_pool.ts";
import {
  _concat,
  _deflateAlone,
  _deflateMessage,
  _sharedStream,
  type _ZlibOptions,
  _ZlibStream,
} from "./_zlib.ts";
import type { Extension } from "./extension.ts";

/**
 * What a permessage-deflate negotiation agreed, seen from one endpoint. "Inflate" is the peer's
 * compressor (what we receive); "deflate" is ours (what we send).
 */
export interface PerMessageDeflateAgreement {
  /** LZ77 window of the peer's compressor, in bits (8–15). */
  inflateWindowBits: number;
  /** Whether the peer may refer to earlier messages (its context is kept). */
  inflateContextTakeover: boolean;
  /** LZ77 window our compressor may use, in bits (8–15). */
  deflateWindowBits: number;
  /** Whether our compressor keeps its context across messages. */
  deflateContextTakeover: boolean;
  /**
   * Whether we compress at all. False when our window is limited to 8 bits, which zlib cannot
   * honour for raw deflate (see docs/COMPRESSION.md); every message is then sent uncompressed,
   * which RFC 7692 §6 allows because RSV1 is chosen per message.
   */
  compresses: boolean;
}

/** Settings that are not negotiated. */
export interface _DeflateSettings {
  level: number;
  memLevel: number;
  threshold: number;
  maxCompressSize: number;
  /** Messages of at least this many bytes are compressed by `pool` when there is one. */
  offloadSize: number;
  pool?: _DeflatePool | undefined;
  maxMessageSize: number;
  /** Called once on close, to give back a context budget slot. */
  release?: (() => void) | undefined;
}

// RFC 7692 §7.2.2: the receiver appends 00 00 ff ff (an empty stored block's LEN/NLEN) to the
// payload of every compressed message before inflating it.
const _TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
const _EMPTY = new Uint8Array(0);

/** The per-connection permessage-deflate transform. */
export class _DeflateExtension implements Extension {
  readonly name = "permessage-deflate";
  readonly rsv = RSV1;
  readonly agreement: Readonly<PerMessageDeflateAgreement>;
  #settings: _DeflateSettings;
  // Our compressor's settings, fixed by the negotiation.
  readonly #deflateOptions: _ZlibOptions;
  #inflater: _ZlibStream | undefined;
  #deflater: _ZlibStream | undefined;
  // Inbound message state.
  #stream: _ZlibStream | undefined;
  #inMessage = false;
  #ended = false;
  #size = 0;
  #compressed = 0;
  #failed = false;
  #closed = false;
  #pieces: Uint8Array[] = [];
  #length = 0;
  // Outbound: the worker lease, taken with the first large message, and which compressor (this
  // thread's or the worker's) compressed the last message. Under context takeover only the
  // compressor that did may refer back to it, so the other one forgets its window when it takes
  // over: the peer's window then holds nothing it could wrongly refer to.
  #lease: _DeflateLease | undefined;
  #last: "here" | "worker" | undefined;

  constructor(agreement: PerMessageDeflateAgreement, settings: _DeflateSettings) {
    this.agreement = Object.freeze({ ...agreement });
    this.#settings = settings;
    this.#deflateOptions = {
      windowBits: agreement.deflateWindowBits,
      level: settings.level,
      memLevel: settings.memLevel,
    };
  }

  decode(frame: Frame): Frame {
    if (this.#failed || this.#closed) {
      throw new TypeError("Cannot decode frame: permessage-deflate has failed or is closed");
    }
    const { opcode, rsv } = frame;
    if (opcode >= 0x8 || opcode === 0x0) {
      // RFC 7692 §6.1: RSV1 marks the first frame of a compressed message, nothing else.
      if ((rsv & RSV1) !== 0) {
        this.#failed = true;
        const kind = opcode === 0x0 ? "continuation" : "control";
        throw new ProtocolError(
          PROTOCOL_ERROR_CODE.RESERVED_BITS,
          `Cannot decode frame: RSV1 set on a ${kind} frame`,
        );
      }
      if (opcode !== 0x0 || !this.#inMessage) return frame;
    } else {
      this.#inMessage = (rsv & RSV1) !== 0;
      if (!this.#inMessage) return frame;
      this.#size = 0;
      this.#compressed = 0;
      this.#ended = false;
      this.#stream = this.#pickInflater(frame.fin);
    }
    return { fin: frame.fin, rsv: rsv & ~RSV1, opcode, payload: this.#inflate(frame) };
  }

  // Context takeover needs the connection's own stream; without it a single-frame message can use
  // a shared one (inflated in one call), a fragmented one needs its own across calls.
  #pickInflater(whole: boolean): _ZlibStream {
    // A larger window on the decompressor is always safe, and zlib stacks (Node's included) use a
    // 9-bit window when asked for 8 on raw deflate, so inflate with at least 9 bits.
    const windowBits = Math.max(9, this.agreement.inflateWindowBits);
    if (whole && !this.agreement.inflateContextTakeover) {
      return _sharedStream("inflate", { windowBits });
    }
    return this.#inflater ??= new _ZlibStream("inflate", { windowBits });
  }

  #collect = (bytes: Uint8Array): void => {
    this.#size += bytes.length;
    // Zip-bomb guard: counted while inflating, at most one scratch buffer past the limit is
    // ever produced and nothing past it is kept.
    if (this.#size > this.#settings.maxMessageSize) {
      throw new ProtocolError(
        PROTOCOL_ERROR_CODE.MESSAGE_TOO_BIG,
        `Cannot inflate message: over maxMessageSize ${this.#settings.maxMessageSize} bytes`,
        { closeCode: CLOSE_CODE.MESSAGE_TOO_BIG },
      );
    }
    this.#pieces.push(bytes.slice());
    this.#length += bytes.length;
  };

  #inflate(frame: Frame): Uint8Array {
    const stream = this.#stream!;
    this.#pieces = [];
    this.#length = 0;
    try {
      // Bytes after a BFINAL block are ignored (RFC 7692 §7.2.3.4 ends one with a stray 0x00).
      if (!this.#ended && frame.payload.length > 0) {
        this.#compressed += frame.payload.length;
        this.#ended = stream.write(frame.payload, this.#collect);
      }
      if (frame.fin) {
        // A compressed message with no bytes at all is taken as empty (the smallest valid form
        // is 0x00, RFC 7692 §7.2.3.6). Feeding the tail alone would leave the inflater inside a
        // stored block and corrupt every later message under context takeover.
        if (!this.#ended && this.#compressed > 0) this.#ended = stream.write(_TAIL, this.#collect);
        this.#inMessage = false;
        // A stream that ended with BFINAL cannot continue; the next message starts afresh.
        if (this.#ended || !this.agreement.inflateContextTakeover) stream.reset();
      }
    } catch (error) {
      this.#failed = true;
      this.#inMessage = false;
      if (!this.agreement.inflateContextTakeover) stream.reset();
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError(
        PROTOCOL_ERROR_CODE.EXTENSION_ERROR,
        `Cannot inflate message: ${error instanceof Error ? error.message : String(error)}`,
        { closeCode: CLOSE_CODE.INVALID_PAYLOAD, cause: error },
      );
    }
    const out = this.#length === 0 ? _EMPTY : _concat(this.#pieces, this.#length);
    this.#pieces = [];
    return out;
  }

  encode(_opcode: 1 | 2, payload: Uint8Array): { payload: Uint8Array; rsv: number } {
    if (this.#closed) throw new TypeError("Cannot encode message: permessage-deflate is closed");
    if (!this.#compresses(payload)) return { payload, rsv: 0 };
    if (!this.agreement.deflateContextTakeover) {
      return this.#result(payload, _deflateAlone(this.#deflateOptions, payload));
    }
    const stream = this.#deflater ??= new _ZlibStream("deflate", this.#deflateOptions);
    if (this.#last === "worker") stream.reset();
    this.#last = "here";
    return this.#result(payload, _deflateMessage(stream, payload));
  }

  encodeLater(
    _opcode: 1 | 2,
    payload: Uint8Array,
  ): Promise<{ payload: Uint8Array; rsv: number }> | undefined {
    if (this.#closed) throw new TypeError("Cannot encode message: permessage-deflate is closed");
    const { pool, offloadSize } = this.#settings;
    if (pool === undefined || payload.length < offloadSize || !this.#compresses(payload)) {
      return undefined;
    }
    const takeover = this.agreement.deflateContextTakeover;
    const reset = takeover && this.#last === "here";
    this.#last = "worker";
    const input = payload.slice();
    this.#lease ??= pool.lease();
    return this.#lease.deflate(input, this.#deflateOptions, takeover, reset).then((out) =>
      this.#result(input, out)
    );
  }

  // Empty messages stay uncompressed: a second sync flush with no input makes zlib fail. A message
  // left uncompressed never enters the deflate stream, so the peer's window stays in step with it.
  #compresses(payload: Uint8Array): boolean {
    return this.agreement.compresses && payload.length > 0 &&
      payload.length >= this.#settings.threshold &&
      payload.length <= this.#settings.maxCompressSize;
  }

  #result(payload: Uint8Array, out: Uint8Array): { payload: Uint8Array; rsv: number } {
    // Without context takeover each message stands alone, so an incompressible one can go out
    // as it is (with takeover the peer's window must see every byte our window saw).
    if (!this.agreement.deflateContextTakeover && out.length >= payload.length) {
      return { payload, rsv: 0 };
    }
    return { payload: out, rsv: RSV1 };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inflater?.close();
    this.#deflater?.close();
    this.#lease?.close();
    this.#lease = undefined;
    this.#inflater = undefined;
    this.#deflater = undefined;
    this.#settings.release?.();
  }
}
