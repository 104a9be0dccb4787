import type { ExtensionOffer } from "../protocol/mod.ts";

/** The four permessage-deflate parameters (RFC 7692 §7.1), parsed. */
export interface _DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** The value, when present (it always has one). */
  serverMaxWindowBits: number | undefined;
  /** The value, `true` when present without a value, `undefined` when absent. */
  clientMaxWindowBits: number | true | undefined;
}

/** The parsed parameters, or the reason they are invalid. */
export type _ParseResult = { ok: true; params: _DeflateParams } | { ok: false; reason: string };

// RFC 7692 §7.1.2: a window size is a decimal integer from 8 to 15 (`1*DIGIT`).
function _windowBits(value: string): number | undefined {
  if (!/^[0-9]{1,2}$/.test(value)) return undefined;
  const bits = Number(value);
  return bits >= 8 && bits <= 15 ? bits : undefined;
}

/**
 * Parses permessage-deflate parameters. RFC 7692 §7: an unknown parameter, a duplicate, a value
 * on a flag, or a bad window size makes the offer (or response) invalid.
 */
export function _parseDeflateParams(offer: ExtensionOffer): _ParseResult {
  const params: _DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [rawName, value] of offer.params) {
    const name = rawName.toLowerCase();
    if (seen.has(name)) return { ok: false, reason: `duplicate parameter ${name}` };
    seen.add(name);
    switch (name) {
      case "server_no_context_takeover":
      case "client_no_context_takeover":
        if (value !== true) return { ok: false, reason: `${name} takes no value` };
        if (name === "server_no_context_takeover") params.serverNoContextTakeover = true;
        else params.clientNoContextTakeover = true;
        break;
      case "server_max_window_bits": {
        const bits = value === true ? undefined : _windowBits(value);
        if (bits === undefined) return { ok: false, reason: `invalid ${name}` };
        params.serverMaxWindowBits = bits;
        break;
      }
      case "client_max_window_bits": {
        const bits = value === true ? true : _windowBits(value);
        if (bits === undefined) return { ok: false, reason: `invalid ${name}` };
        params.clientMaxWindowBits = bits;
        break;
      }
      default:
        return { ok: false, reason: `unknown parameter ${name}` };
    }
  }
  return { ok: true, params };
}

/** Formats parameters in a stable order, omitting what is absent. */
export function _formatDeflateParams(params: _DeflateParams): [string, string | true][] {
  const out: [string, string | true][] = [];
  if (params.serverNoContextTakeover) out.push(["server_no_context_takeover", true]);
  if (params.clientNoContextTakeover) out.push(["client_no_context_takeover", true]);
  if (params.serverMaxWindowBits !== undefined) {
    out.push(["server_max_window_bits", String(params.serverMaxWindowBits)]);
  }
  if (params.clientMaxWindowBits !== undefined) {
    const value = params.clientMaxWindowBits;
    out.push(["client_max_window_bits", value === true ? true : String(value)]);
  }
  return out;
}
