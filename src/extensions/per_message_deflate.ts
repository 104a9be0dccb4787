import { DEFAULT_LIMITS, type ExtensionOffer, HandshakeError } from "../protocol/mod.ts";
import {
  type _DeflateParams,
  _formatDeflateParams,
  _parseDeflateParams,
} from "./_deflate_params.ts";
import { _DeflateExtension, type PerMessageDeflateAgreement } from "./_deflate_extension.ts";
import { _DeflatePool } from "./_deflate_pool.ts";
import type { Extension, ExtensionFactory, ExtensionLimits } from "./extension.ts";

export type { PerMessageDeflateAgreement } from "./_deflate_extension.ts";

/** The extension name registered by RFC 7692. */
export const PERMESSAGE_DEFLATE = "permessage-deflate";

/**
 * Options for {@linkcode perMessageDeflate}. The four negotiation options mean the server's
 * policy on a server and the client's request on a client.
 */
export interface PerMessageDeflateOptions {
  /**
   * Server: always answer `server_no_context_takeover` (the server's compressor forgets each
   * message; saves its window memory per connection). Client: ask the server for it.
   *
   * @default {false}
   */
  serverNoContextTakeover?: boolean;
  /**
   * Server: always answer `client_no_context_takeover` (saves the inflate window per connection).
   * Client: offer it and never keep the compressor's context.
   *
   * @default {false}
   */
  clientNoContextTakeover?: boolean;
  /**
   * Server: the largest window (8–15 bits) its compressor uses; answered as
   * `server_max_window_bits` when below what the client allows. Client: when set, sent as
   * `server_max_window_bits` to limit the server's window.
   *
   * @default {15 on a server, not sent by a client}
   */
  serverMaxWindowBits?: number;
  /**
   * Server: the largest window (8–15 bits) it lets clients use. Below 15, offers without
   * `client_max_window_bits` are declined, as RFC 7692 §7.1.2.2 gives no way to limit them.
   * Client: sent as `client_max_window_bits=N`; when unset, `client_max_window_bits` is offered
   * without a value (the server may pick any window).
   *
   * @default {15 on a server; offered without a value by a client}
   */
  clientMaxWindowBits?: number;
  /**
   * zlib compression level, 0 (store) to 9 (smallest). Lower is faster.
   *
   * @default {6}
   */
  level?: number;
  /**
   * zlib memory level, 1 to 9: the compressor's hash table and buffers take about
   * `2^(memLevel + 9)` bytes. Lower saves memory per connection at some compression ratio.
   *
   * @default {8}
   */
  memLevel?: number;
  /**
   * Messages shorter than this many bytes are sent uncompressed (RSV1 clear).
   *
   * @default {1024}
   */
  threshold?: number;
  /**
   * Messages longer than this many bytes are sent uncompressed (RSV1 clear), which RFC 7692
   * allows for any message. A peer may refuse to inflate large messages: Node's built-in
   * `WebSocket` (undici) fails the connection when one inflates to more than 4 MiB, so a server
   * with such clients sets this to `4 * 1024 * 1024`. Counted before compression.
   *
   * @default {no limit}
   */
  maxCompressSize?: number;
  /**
   * Messages of at least this many bytes are compressed on a worker thread (see `workers`), so
   * that compressing them neither holds up the other connections nor limits the process to one
   * core. Smaller messages are compressed at once, on the connection's thread, where the hop to
   * a worker would cost more than it saves.
   *
   * @default {8192}
   */
  offloadSize?: number;
  /**
   * How many compression workers (Web Workers) large messages are spread over; each connection
   * keeps to one, which holds its compression context. `0` compresses everything on the
   * connection's thread. Workers start with the first large message and stop when the last
   * connection using them closes. Where a worker cannot be started (no `Worker`, no permission
   * to read or import this package's worker module) or fails, compression falls back to the
   * connection's thread.
   *
   * @default {the number of CPU cores (`navigator.hardwareConcurrency`), at most 4}
   */
  workers?: number;
  /**
   * Server: the most connections that keep a compression context (context takeover in either
   * direction) at once. Past it, new connections are answered with both `*_no_context_takeover`
   * parameters, so they hold no zlib state between messages. Bounds compression memory across
   * many connections. Slots are given back by {@linkcode Extension.close}.
   *
   * @default {1024}
   */
  maxContexts?: number;
}

/** A permessage-deflate extension for one connection; see {@linkcode perMessageDeflate}. */
export interface PerMessageDeflateExtension extends Extension {
  /** What was negotiated. */
  readonly agreement: Readonly<PerMessageDeflateAgreement>;
}

/** The factory returned by {@linkcode perMessageDeflate}. */
export interface PerMessageDeflateFactory extends ExtensionFactory {
  /** Server side; see {@linkcode ExtensionFactory.accept}. */
  accept(
    offers: readonly ExtensionOffer[],
    limits?: ExtensionLimits,
  ): { response: ExtensionOffer; extension: PerMessageDeflateExtension } | null;
  /** Client side; see {@linkcode ExtensionFactory.accepted}. */
  accepted(response: ExtensionOffer, limits?: ExtensionLimits): PerMessageDeflateExtension;
  /** Connections currently holding a compression context (server side). */
  readonly contexts: number;
  /** Compression workers running now (see {@linkcode PerMessageDeflateOptions.workers}). */
  readonly workers: number;
}

/**
 * Creates the permessage-deflate extension (RFC 7692) for a server or a client. Compression uses
 * the runtime's native zlib, on the connection's thread for small messages and on a pool of
 * workers for large ones (`offloadSize`, `workers`; docs/COMPRESSION.md): sync flush with the trailing
 * `00 00 ff ff` removed, context takeover unless negotiated away, RSV1 on the first frame of a
 * compressed message only, and inflated bytes counted against `maxMessageSize` while inflating.
 *
 * @throws {RangeError} for an option out of range.
 *
 * @example Server and client agree, then a message goes through both directions
 * ```ts
 * import { perMessageDeflate } from "@aero/socket/extensions";
 * import { OPCODE, RSV1 } from "@aero/socket/protocol";
 * import assert from "node:assert/strict";
 *
 * const server = perMessageDeflate({ threshold: 0 });
 * const client = perMessageDeflate({ threshold: 0, serverNoContextTakeover: true });
 * const accepted = server.accept(client.offer())!;
 * const clientSide = client.accepted(accepted.response);
 * const serverSide = accepted.extension;
 *
 * const text = new TextEncoder().encode("Hello");
 * const sent = clientSide.encode(OPCODE.TEXT, text);
 * assert.equal(sent.rsv, RSV1);
 * const received = serverSide.decode({ fin: true, rsv: sent.rsv, opcode: OPCODE.TEXT, payload: sent.payload });
 * assert.deepEqual(received.payload, text);
 * assert.equal(received.rsv, 0);
 * serverSide.close();
 * clientSide.close();
 * ```
 */
export function perMessageDeflate(
  options: PerMessageDeflateOptions = {},
): PerMessageDeflateFactory {
  const policy = _resolve(options);
  let contexts = 0;
  const pool = policy.workers > 0 ? new _DeflatePool(policy.workers) : undefined;

  function create(
    agreement: Omit<PerMessageDeflateAgreement, "compresses">,
    limits: ExtensionLimits,
    counted: boolean,
  ): PerMessageDeflateExtension {
    const maxMessageSize = limits.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize;
    if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize <= 0) {
      throw new RangeError(
        `Cannot use permessage-deflate: invalid maxMessageSize ${maxMessageSize}`,
      );
    }
    if (counted) contexts++;
    return new _DeflateExtension(
      // zlib cannot compress raw deflate with an 8-bit window (see PerMessageDeflateAgreement).
      { ...agreement, compresses: agreement.deflateWindowBits > 8 },
      {
        level: policy.level,
        memLevel: policy.memLevel,
        threshold: policy.threshold,
        maxCompressSize: policy.maxCompressSize,
        offloadSize: policy.offloadSize,
        pool,
        maxMessageSize,
        release: counted ? () => contexts-- : undefined,
      },
    );
  }

  // Server: RFC 7692 §7.1 for one offer; null declines it.
  function acceptOne(offer: ExtensionOffer, limits: ExtensionLimits) {
    const parsed = _parseDeflateParams(offer);
    if (!parsed.ok) return null; // RFC 7692 §7: an invalid offer is declined.
    const p = parsed.params;
    const serverBits = Math.min(p.serverMaxWindowBits ?? 15, policy.serverMaxWindowBits);
    if (p.clientMaxWindowBits === undefined && policy.clientMaxWindowBits < 15) return null;
    const clientBits = Math.min(
      typeof p.clientMaxWindowBits === "number" ? p.clientMaxWindowBits : 15,
      policy.clientMaxWindowBits,
    );
    const overBudget = contexts >= policy.maxContexts;
    const response: _DeflateParams = {
      serverNoContextTakeover: p.serverNoContextTakeover || policy.serverNoContextTakeover ||
        overBudget,
      clientNoContextTakeover: p.clientNoContextTakeover || policy.clientNoContextTakeover ||
        overBudget,
      serverMaxWindowBits: p.serverMaxWindowBits !== undefined || serverBits < 15
        ? serverBits
        : undefined,
      clientMaxWindowBits: typeof p.clientMaxWindowBits === "number" || clientBits < 15
        ? clientBits
        : undefined,
    };
    const agreement = {
      inflateWindowBits: clientBits,
      inflateContextTakeover: !response.clientNoContextTakeover,
      deflateWindowBits: serverBits,
      deflateContextTakeover: !response.serverNoContextTakeover,
    };
    const counted = agreement.inflateContextTakeover || agreement.deflateContextTakeover;
    return {
      response: { name: PERMESSAGE_DEFLATE, params: _formatDeflateParams(response) },
      extension: create(agreement, limits, counted),
    };
  }

  const offered: _DeflateParams = {
    serverNoContextTakeover: policy.serverNoContextTakeover,
    clientNoContextTakeover: policy.clientNoContextTakeover,
    serverMaxWindowBits: options.serverMaxWindowBits,
    clientMaxWindowBits: options.clientMaxWindowBits ?? true,
  };

  return {
    name: PERMESSAGE_DEFLATE,
    rsv: 0b100,
    get contexts() {
      return contexts;
    },
    get workers() {
      return pool?.workers ?? 0;
    },
    accept(offers, limits = {}) {
      for (const offer of offers) {
        if (offer.name.toLowerCase() !== PERMESSAGE_DEFLATE) continue;
        const accepted = acceptOne(offer, limits);
        if (accepted !== null) return accepted;
      }
      return null;
    },
    offer() {
      return [{ name: PERMESSAGE_DEFLATE, params: _formatDeflateParams(offered) }];
    },
    accepted(response, limits = {}) {
      const r = _checkResponse(response, offered);
      const ownLimit = typeof offered.clientMaxWindowBits === "number"
        ? offered.clientMaxWindowBits
        : 15;
      return create(
        {
          inflateWindowBits: r.serverMaxWindowBits ?? 15,
          inflateContextTakeover: !r.serverNoContextTakeover,
          deflateWindowBits: Math.min(
            typeof r.clientMaxWindowBits === "number" ? r.clientMaxWindowBits : 15,
            ownLimit,
          ),
          deflateContextTakeover: !(r.clientNoContextTakeover || policy.clientNoContextTakeover),
        },
        limits,
        false,
      );
    },
  };
}

// Client: RFC 7692 §7.1 rules for a server's response to our single offer.
function _checkResponse(response: ExtensionOffer, offered: _DeflateParams): _DeflateParams {
  const fail = (reason: string): never => {
    throw new HandshakeError(
      101,
      `Cannot open WebSocket: invalid permessage-deflate response: ${reason}`,
    );
  };
  if (response.name.toLowerCase() !== PERMESSAGE_DEFLATE) fail(`unexpected name ${response.name}`);
  const parsed = _parseDeflateParams(response);
  if (!parsed.ok) return fail(parsed.reason);
  const r = parsed.params;
  // §7.1.2.2: in a response, client_max_window_bits must carry a value.
  if (r.clientMaxWindowBits === true) fail("client_max_window_bits without a value");
  if (r.clientMaxWindowBits !== undefined && offered.clientMaxWindowBits === undefined) {
    fail("client_max_window_bits was not offered");
  }
  if (
    typeof r.clientMaxWindowBits === "number" && typeof offered.clientMaxWindowBits === "number" &&
    r.clientMaxWindowBits > offered.clientMaxWindowBits
  ) {
    fail("client_max_window_bits is larger than offered");
  }
  // §7.1.1.1, §7.1.2.1: a server that accepts these parameters must answer with them.
  if (offered.serverNoContextTakeover && !r.serverNoContextTakeover) {
    fail("server_no_context_takeover was offered but not answered");
  }
  if (offered.serverMaxWindowBits !== undefined) {
    if (r.serverMaxWindowBits === undefined) fail("server_max_window_bits was not answered");
    if (r.serverMaxWindowBits! > offered.serverMaxWindowBits) {
      fail("server_max_window_bits is larger than offered");
    }
  }
  return r;
}

function _resolve(options: PerMessageDeflateOptions) {
  const int = (
    name: string,
    value: number | undefined,
    min: number,
    max: number,
    fallback: number,
  ) => {
    const resolved = value ?? fallback;
    if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
      throw new RangeError(
        `Cannot configure permessage-deflate: ${name} ${value} is not in ${min}–${max}`,
      );
    }
    return resolved;
  };
  return {
    serverNoContextTakeover: options.serverNoContextTakeover ?? false,
    clientNoContextTakeover: options.clientNoContextTakeover ?? false,
    serverMaxWindowBits: int("serverMaxWindowBits", options.serverMaxWindowBits, 8, 15, 15),
    clientMaxWindowBits: int("clientMaxWindowBits", options.clientMaxWindowBits, 8, 15, 15),
    level: int("level", options.level, 0, 9, 6),
    memLevel: int("memLevel", options.memLevel, 1, 9, 8),
    threshold: int("threshold", options.threshold, 0, Number.MAX_SAFE_INTEGER, 1024),
    maxCompressSize: int(
      "maxCompressSize",
      options.maxCompressSize,
      0,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    ),
    maxContexts: int("maxContexts", options.maxContexts, 0, Number.MAX_SAFE_INTEGER, 1024),
    offloadSize: int("offloadSize", options.offloadSize, 1, Number.MAX_SAFE_INTEGER, 8192),
    workers: int("workers", options.workers, 0, 64, _defaultWorkers()),
  };
}

// One worker per core, up to 4: the connection's own thread is mostly idle while a worker
// compresses, and beyond a few workers the messages of the connections in flight keep none busy.
function _defaultWorkers(): number {
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)
    ?.hardwareConcurrency;
  return Math.min(4, Math.max(1, cores ?? 1));
}
