import { _Info } from "../connection/_info.ts";
import { HandshakeError } from "../protocol/errors.ts";
import { validateUpgradeRequest } from "../protocol/handshake.ts";
import { _headersLater, _headTextOf } from "../protocol/http_head.ts";
import { _NativeConnection } from "./_native_connection.ts";
import type { _Registry } from "./_registry.ts";
import { _applyUpgradePolicy, _errorResponse } from "./_upgrade_policy.ts";
import type { _ResolvedUpgradeOptions } from "./_resolve_options.ts";
import type { UpgradeResult } from "./upgrade.ts";

/** `upgrade()` with resolved options and, for `serve`, the registry. */
export async function _upgradeNative<Data>(
  request: Request,
  options: _ResolvedUpgradeOptions<Data>,
  remoteAddress: Deno.NetAddr | undefined,
  registry: _Registry<Data> | null,
): Promise<UpgradeResult<Data>> {
  let offer;
  try {
    offer = validateUpgradeRequest(request);
  } catch (error) {
    return { ok: false, response: _errorResponse(error) };
  }
  if (registry !== null && !registry.reserve()) {
    const error = new HandshakeError(503, "Cannot upgrade: the server is at capacity");
    return { ok: false, response: error.toResponse() };
  }
  const verdict = await _applyUpgradePolicy(() => request, offer, options, remoteAddress, false);
  if (!verdict.ok) {
    registry?.release();
    return verdict;
  }
  // Taken before the upgrade: `Deno.serve` reads a request's headers from the runtime on demand
  // and refuses ("Request closed") once the request is upgraded. Kept as text, made into
  // `Headers` if the application reads `info.headers`.
  const headers = _headersLater(_headTextOf(request.headers));
  let upgraded;
  try {
    upgraded = Deno.upgradeWebSocket(request, {
      ...(verdict.protocol === "" ? {} : { protocol: verdict.protocol }),
      // Deno's own keepalive (seconds; 0 disables): a ping after this much silence.
      idleTimeout: Math.ceil(options.keepalive.pingInterval / 1000),
    });
  } catch (error) {
    registry?.release();
    verdict.abandon();
    return { ok: false, response: _errorResponse(error) };
  }
  const info = new _Info(remoteAddress, request.url, headers, verdict.protocol, []);
  const connection = new _NativeConnection(upgraded.socket, info, verdict.data, options);
  const attached = verdict.attach(connection);
  registry?.add(attached, () => connection.abort());
  return { ok: true, response: upgraded.response, connection: attached };
}
