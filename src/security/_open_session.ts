import { createPermissions, permissionsFromClaims } from "../auth/permissions.ts";
import type { AuthResult, Principal } from "../auth/principal.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Clock } from "../limits/clock.ts";
import type { _Reporter } from "./_reporter.ts";
import { _subject } from "./_reporter.ts";
import { _SessionState } from "./_session_state.ts";
import type { SecurityOptions } from "./security_options.ts";

/** @internal Who a new session belongs to and what it reports to. */
export interface _SessionContext {
  id: string;
  ip: string;
  principal: Principal | undefined;
  options: SecurityOptions;
  clock: Clock;
  reporter: _Reporter;
  authenticate(token: string): Promise<AuthResult>;
}

/**
 * @internal Opens the session of `conn`: permissions from the principal's claims, and an expiry
 * timer that closes the connection with 1008 when its credential runs out (counted and audited,
 * as are refused refreshes). Dispose the session when the connection closes.
 */
export function _openSession(
  conn: WebSocketConnection<unknown>,
  context: _SessionContext,
): _SessionState {
  const { id, ip, principal, options, reporter } = context;
  return new _SessionState({
    id,
    ip,
    principal,
    permissionsOf: (current) =>
      current === undefined
        ? createPermissions([])
        : permissionsFromClaims(current.claims, options.authenticate?.permissions),
    clock: context.clock,
    authenticate: (token) => context.authenticate(token),
    onExpired: (session) => {
      reporter.count("tokensExpired");
      reporter.record({
        type: "token_expired",
        ip,
        connectionId: id,
        reason: "token expired",
        closeCode: 1008,
        ..._subject(session.principal),
      });
      conn.close(1008, "token expired");
    },
    onRefreshFailed: (reason) => {
      reporter.count("refreshFailures");
      reporter.violation({
        type: "auth_failure",
        ip,
        connectionId: id,
        reason: `refresh refused: ${reason}`,
        // The subject the connection was accepted with: a refresh cannot change it.
        ..._subject(principal),
      });
    },
  });
}
