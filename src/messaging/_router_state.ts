import type { PermissionAction } from "../auth/permissions.ts";
import type { Broker, BrokerEvent } from "./broker.ts";
import { type Codec, codecFor } from "./codec.ts";
import { ERROR_CODE, RpcError } from "./errors.ts";
import { MemoryBroker } from "./memory_broker.ts";
import {
  type _ResolvedRouterOptions,
  _resolveRouterOptions,
  type DeadLetter,
  type RouterOptions,
} from "./router_options.ts";
import { _Fanout } from "./_fanout.ts";
import { _RouterSessions } from "./_router_sessions.ts";
import { _RouterTracing } from "./_router_tracing.ts";
import { _RpcMethods } from "./_rpc_methods.ts";
import type { _Session } from "./_session.ts";

/**
 * @internal Everything one router holds, shared by the modules that implement it (inbound
 * envelopes, subscriptions and delivery, presence, RPC), with the small helpers they all use.
 */
export class _RouterState {
  readonly options: _ResolvedRouterOptions;
  readonly broker: Broker;
  readonly ownsBroker: boolean;
  readonly codecs = new Map<string, Codec>();
  readonly fanout: _Fanout;
  readonly sessions: _RouterSessions;
  readonly rpc = new _RpcMethods();
  /** Spans, when tracing is on. */
  readonly tracing: _RouterTracing | undefined;
  closed = false;

  constructor(
    options: RouterOptions,
    onBrokerEvent: (state: _RouterState, e: BrokerEvent) => void,
  ) {
    this.options = _resolveRouterOptions(options);
    this.ownsBroker = options.broker === undefined;
    this.broker = options.broker ?? new MemoryBroker();
    for (const protocol of ["aero.v1.json", "aero.v1.msgpack", "aero.v1.cbor"] as const) {
      this.codecs.set(protocol, options.codecs?.[protocol] ?? codecFor(protocol)!);
    }
    this.fanout = new _Fanout(this.broker.subscribe((event) => onBrokerEvent(this, event)));
    this.sessions = new _RouterSessions(this.options.resumeWindow);
    const tracing = this.options.tracing;
    this.tracing = tracing === false ? undefined : new _RouterTracing(tracing);
  }

  /** Whether the session's permissions, then the authorize hook, let it do `action` on `topic`. */
  async allowed(
    session: _Session,
    action: "subscribe" | "publish" | "join" | "presence",
    topic: string,
  ): Promise<boolean> {
    if (!this.permitted(session, action === "join" ? "presence" : action, topic)) return false;
    const authorize = this.options.authorize;
    if (authorize === undefined) return true;
    return await authorize({ action, topic, session: session.id, conn: session.conn }) === true;
  }

  /**
   * Whether the security session of `session`'s connection grants `action` on `resource`
   * (always, without a security policy); a refusal is reported to the policy's audit log.
   */
  permitted(session: _Session, action: PermissionAction, resource: string): boolean {
    const security = this.options.security;
    if (security === undefined) return true;
    // Fail closed: a connection the policy never accepted has no session and no permissions.
    if (security.session(session.conn)?.permissions.can(action, resource) === true) return true;
    security.denied(session.conn, action, resource);
    return false;
  }

  /** The connected session `id`, for a server-side `action`. */
  connected(id: string, action: string): _Session {
    const target = this.sessions.get(id);
    if (target === undefined) {
      throw new RpcError(
        ERROR_CODE.UNAVAILABLE,
        `Cannot ${action}: session ${id} is not connected`,
      );
    }
    return target;
  }

  /** Hands `letter` to the dead-letter hook, isolating the router from its errors. */
  deadLetter(letter: DeadLetter): void {
    try {
      this.options.onDeadLetter?.(letter);
    } catch (error) {
      this.options.onError(error);
    }
  }

  /** Closes the session's connection with `code` and stops reading from it. */
  fatal(session: _Session, code: number, reason: string): void {
    session.closed = true;
    try {
      session.conn.close(code, reason);
    } catch (error) {
      this.options.onError(error);
    }
  }
}
