import { HandshakeError } from "../protocol/errors.ts";
import type { UpgradeRequest } from "../protocol/handshake.ts";
import {
  type NegotiatedExtensions,
  negotiateExtensions,
} from "../extensions/negotiate_extensions.ts";
import type { _ResolvedUpgradeOptions } from "./_resolve_options.ts";
import type { ProtocolSelector } from "./server_options.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";

/** @internal The policy's verdict on a valid upgrade request. */
export type _PolicyResult<Data> =
  | { ok: false; response: Response }
  | {
    ok: true;
    protocol: string;
    negotiation: NegotiatedExtensions;
    data: Data | undefined;
    headers: HeadersInit | undefined;
    /** Hands the new connection to the security policy (expiry, limits); call exactly once. */
    attach<C extends WebSocketConnection<Data>>(conn: C): C;
    /** Releases what the policy reserved when the upgrade fails after all. */
    abandon(): void;
  };

/**
 * @internal Runs the server's handshake policy on a request that passed
 * `validateUpgradeRequest`: the security policy (bans, limits, Origin, authentication), subprotocol
 * selection, extension negotiation (when the engine can use extensions), then the application's
 * `onUpgrade` hook. Never throws: failures become the
 * response to answer with. `requestOf` makes the `Request` these see, called only when one of
 * them is configured: an engine that parsed the head itself makes none otherwise.
 */
export async function _applyUpgradePolicy<Data>(
  requestOf: () => Request,
  upgrade: UpgradeRequest,
  options: _ResolvedUpgradeOptions<Data>,
  remoteAddress: Deno.NetAddr | undefined,
  useExtensions: boolean,
): Promise<_PolicyResult<Data>> {
  let negotiation: NegotiatedExtensions = { responses: [], extensions: [], rsv: 0 };
  let admission;
  let made: Request | undefined;
  const request = () => made ??= requestOf();
  try {
    admission = options.security === undefined
      ? undefined
      : await options.security.admit(request(), remoteAddress, upgrade.protocols);
    if (admission?.ok === false) return { ok: false, response: admission.response };
    // Token entries of the subprotocol list are never selectable, so never echoed.
    const offered = admission?.offeredProtocols ?? upgrade.protocols;
    const protocol = _selectProtocol(options.protocols, offered, request);
    if (useExtensions) {
      negotiation = negotiateExtensions(options.extensions, upgrade.extensions, {
        maxMessageSize: options.limits.maxMessageSize,
      });
    }
    let data: Data | undefined;
    let headers: HeadersInit | undefined;
    if (options.onUpgrade !== undefined) {
      const verdict = await options.onUpgrade(request(), {
        remoteAddress,
        offeredProtocols: offered,
        protocol,
        extensions: negotiation.responses.map((offer) => offer.name),
        principal: admission?.principal,
      });
      if (verdict instanceof Response) {
        _release(negotiation);
        if (admission?.ok) admission.abandon();
        return { ok: false, response: verdict };
      }
      data = verdict?.data;
      headers = verdict?.headers;
    }
    // Claims flow into `conn.data` unless the application chose its own data.
    if (data === undefined && admission?.principal !== undefined) {
      data = admission.principal as Data;
    }
    const accepted = admission?.ok ? admission : undefined;
    return {
      ok: true,
      protocol,
      negotiation,
      data,
      headers,
      attach: (conn) => accepted === undefined ? conn : accepted.attach(conn),
      abandon: () => accepted?.abandon(),
    };
  } catch (error) {
    _release(negotiation);
    if (admission?.ok) admission.abandon();
    return { ok: false, response: _errorResponse(error) };
  }
}

/** @internal The response for an error thrown while answering a handshake. */
export function _errorResponse(error: unknown): Response {
  if (error instanceof HandshakeError) return error.toResponse();
  return new HandshakeError(500, "Cannot upgrade: the server failed to handle the request", {
    cause: error,
  }).toResponse();
}

/** @internal Applies a {@linkcode ProtocolSelector} to the offered subprotocols. */
export function _selectProtocol(
  selector: ProtocolSelector | undefined,
  offered: readonly string[],
  request: () => Request,
): string {
  if (selector === undefined || offered.length === 0) return "";
  if (typeof selector !== "function") {
    // The server's preference order decides (RFC 6455 §4.2.2 leaves the choice to the server).
    return selector.find((name) => offered.includes(name)) ?? "";
  }
  const chosen = selector(offered, request());
  if (chosen === undefined || chosen === "") return "";
  if (!offered.includes(chosen)) {
    throw new TypeError(`Cannot select subprotocol: "${chosen}" was not offered`);
  }
  return chosen;
}

function _release(negotiation: NegotiatedExtensions): void {
  for (const extension of negotiation.extensions) extension.close();
}
