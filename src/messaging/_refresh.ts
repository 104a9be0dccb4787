import type { ClientEnvelope } from "./envelope.ts";
import { ERROR_CODE } from "./errors.ts";
import type { _RouterState } from "./_router_state.ts";
import type { _Session } from "./_session.ts";

/**
 * @internal Answers a client's `refresh`: the new token replaces the credential of the
 * connection's security session (and its expiry), or the session stays as it was.
 */
export async function _onRefresh(
  state: _RouterState,
  session: _Session,
  envelope: Extract<ClientEnvelope, { type: "refresh" }>,
): Promise<void> {
  const { id, token } = envelope;
  const current = state.options.security?.session(session.conn);
  if (current === undefined) {
    return session.sendError(
      id,
      ERROR_CODE.FORBIDDEN,
      "Cannot refresh: the connection has no security session",
    );
  }
  const result = await current.refresh(token);
  if (session.closed) return;
  if (!result.ok) {
    return session.sendError(id, ERROR_CODE.FORBIDDEN, `Cannot refresh: ${result.reason}`);
  }
  session.send({ type: "ok", id });
}
