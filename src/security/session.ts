import type { AuthResult, Principal } from "../auth/principal.ts";
import type { Permissions } from "../auth/permissions.ts";

/**
 * The security state of one connection, from `security.session(conn)`: who it is, what it may
 * do, and how to extend its credential.
 */
export interface Session {
  /** The connection id used in audit events. */
  readonly id: string;
  /** The client's IP address (after trusted-proxy resolution). */
  readonly ip: string;
  /** The authenticated principal; `undefined` for anonymous connections. */
  readonly principal: Principal | undefined;
  /** Permissions from the principal's claims (none for anonymous connections). */
  readonly permissions: Permissions;
  /**
   * Re-authenticates with a fresh token (the `aero.v1` refresh envelope): on success the
   * principal, permissions and expiry timer are replaced. The subject must not change. A refused
   * refresh leaves the session as it was (it still closes at the old expiry) and is audited.
   */
  refresh(token: string): Promise<AuthResult>;
}
