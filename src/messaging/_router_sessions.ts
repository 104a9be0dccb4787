import type { _Session } from "./_session.ts";

// Resume tokens beyond this many are pruned of expired entries on the next issue; the next prune
// waits until the live tokens have doubled, so that many connected sessions (whose tokens never
// expire while they are connected) cost amortized O(1) per connection, not a scan each.
const _PRUNE_AT = 1_024;

/**
 * @internal The router's connected sessions by id, and the resume tokens that let a client
 * keep its session id across reconnections (valid once, for `resumeWindow` ms after the
 * connection closed, and only while no connection holds the id).
 */
export class _RouterSessions {
  readonly #sessions = new Map<string, _Session>();
  readonly #tokens = new Map<string, { session: string; expires: number }>();
  readonly #byId = new Map<string, string>();
  readonly #resumeWindow: number;
  #pruneAt = _PRUNE_AT;

  constructor(resumeWindow: number) {
    this.#resumeWindow = resumeWindow;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): _Session | undefined {
    return this.#sessions.get(id);
  }

  all(): _Session[] {
    return [...this.#sessions.values()];
  }

  /** The session id a resume token grants, consuming the token; `undefined` if invalid. */
  resume(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    const entry = this.#tokens.get(token);
    if (entry === undefined) return undefined;
    this.#tokens.delete(token);
    this.#byId.delete(entry.session);
    if (entry.expires < Date.now() || this.#sessions.has(entry.session)) return undefined;
    return entry.session;
  }

  /** Registers a connected session; returns its new resume token. */
  add(session: _Session): string {
    this.#sessions.set(session.id, session);
    if (this.#tokens.size >= this.#pruneAt) this.#prune();
    const token = crypto.randomUUID();
    this.#tokens.set(token, { session: session.id, expires: Infinity });
    this.#byId.set(session.id, token);
    return token;
  }

  /** Unregisters a session; its resume token starts expiring. */
  remove(session: _Session): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    const token = this.#byId.get(session.id);
    const entry = token === undefined ? undefined : this.#tokens.get(token);
    if (entry !== undefined) entry.expires = Date.now() + this.#resumeWindow;
  }

  #prune(): void {
    const now = Date.now();
    for (const [token, entry] of this.#tokens) {
      if (entry.expires < now) {
        this.#tokens.delete(token);
        this.#byId.delete(entry.session);
      }
    }
    this.#pruneAt = Math.max(_PRUNE_AT, this.#tokens.size * 2);
  }
}
