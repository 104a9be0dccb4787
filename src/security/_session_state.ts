import type { Permissions } from "../auth/permissions.ts";
import type { AuthResult, Principal } from "../auth/principal.ts";
import type { Clock } from "../limits/clock.ts";
import type { Session } from "./session.ts";

// setTimeout's largest delay; longer waits are chained.
const _MAX_DELAY = 2 ** 31 - 1;

/** @internal What a {@linkcode _SessionState} needs from its policy. */
export interface _SessionInit {
  id: string;
  ip: string;
  principal: Principal | undefined;
  permissionsOf(principal: Principal | undefined): Permissions;
  clock: Clock;
  authenticate(token: string): Promise<AuthResult>;
  onExpired(session: Session): void;
  onRefreshFailed(reason: string): void;
}

/** @internal A connection's session with its expiry timer (cleared by `dispose`). */
export class _SessionState implements Session {
  readonly id: string;
  readonly ip: string;
  #principal: Principal | undefined;
  #permissions: Permissions;
  readonly #init: _SessionInit;
  #timer: unknown;
  #disposed = false;

  constructor(init: _SessionInit) {
    this.id = init.id;
    this.ip = init.ip;
    this.#principal = init.principal;
    this.#permissions = init.permissionsOf(init.principal);
    this.#init = init;
    this.#schedule();
  }

  get principal(): Principal | undefined {
    return this.#principal;
  }

  get permissions(): Permissions {
    return this.#permissions;
  }

  async refresh(token: string): Promise<AuthResult> {
    const result: AuthResult = this.#disposed
      ? { ok: false, status: 401, reason: "connection closed" }
      : await this.#init.authenticate(token);
    if (
      result.ok && this.#principal !== undefined &&
      result.principal.subject !== this.#principal.subject
    ) {
      // A refresh extends a session; it must not swap the identity behind it.
      const refused: AuthResult = { ok: false, status: 403, reason: "subject changed" };
      this.#init.onRefreshFailed(refused.reason);
      return refused;
    }
    if (!result.ok) {
      this.#init.onRefreshFailed(result.reason);
      return result;
    }
    if (this.#disposed) return { ok: false, status: 401, reason: "connection closed" };
    this.#principal = result.principal;
    this.#permissions = this.#init.permissionsOf(result.principal);
    this.#schedule();
    return result;
  }

  dispose(): void {
    this.#disposed = true;
    this.#init.clock.clearTimeout(this.#timer);
  }

  #schedule(): void {
    const { clock } = this.#init;
    clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const expiresAt = this.#principal?.expiresAt;
    if (expiresAt === undefined || this.#disposed) return;
    const delay = expiresAt - clock.now();
    this.#timer = clock.setTimeout(() => {
      if (this.#disposed) return;
      if (clock.now() < expiresAt) return this.#schedule();
      this.#init.onExpired(this);
    }, Math.max(0, Math.min(delay, _MAX_DELAY)));
  }
}
