import { checkCsrf } from "../auth/csrf_check.ts";
import { isOriginAllowed, type OriginRule } from "../auth/origin_policy.ts";
import { createPermissions, permissionsFromClaims } from "../auth/permissions.ts";
import type { Authenticator, AuthResult, Principal } from "../auth/principal.ts";
import { extractToken, stripTokenProtocols, type TokenSource } from "../auth/token_source.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { type Ban, BanList } from "../limits/ban_list.ts";
import { clientIp } from "../limits/client_ip.ts";
import { type Clock, SYSTEM_CLOCK } from "../limits/clock.ts";
import { KeyedBuckets } from "../limits/keyed_buckets.ts";
import { TokenBucket } from "../limits/token_bucket.ts";
import { type AuditEventInit, AuditLog } from "./audit_log.ts";
import { _meter } from "./_guard.ts";
import type { Session } from "./session.ts";
import type { SecurityOptions } from "./security_options.ts";
import { _SessionState } from "./_session_state.ts";

/** Counters of every security decision (plain integers, cheap to read for metrics). */
export interface SecurityCounters {
  /** Upgrades refused for a missing or invalid credential. */
  authFailures: number;
  /** Upgrades refused for their `Origin`. */
  originRejections: number;
  /** Upgrades refused by the CSRF check. */
  csrfRejections: number;
  /** Upgrades refused by the global rate limit. */
  globalLimited: number;
  /** Upgrades refused by the per-IP upgrade rate limit. */
  upgradesLimited: number;
  /** Upgrades refused by the per-IP connection cap. */
  connectionsLimited: number;
  /** Connections closed by the per-connection message limit. */
  messagesLimited: number;
  /** Connections closed by the per-connection byte limit. */
  bytesLimited: number;
  /** Publishes refused by the per-topic limit. */
  publishesLimited: number;
  /** Upgrades refused because the address is banned. */
  bannedRejections: number;
  /** Bans issued. */
  bans: number;
  /** Connections closed for a protocol error. */
  protocolViolations: number;
  /** Connections closed because their credential expired. */
  tokensExpired: number;
  /** Refreshes refused. */
  refreshFailures: number;
  /** Actions refused by permissions (reported through {@linkcode Security.denied}). */
  permissionDenials: number;
}

/** @internal The verdict of {@linkcode Security.admit} that the server engines use. */
export type _Admission =
  | { ok: false; response: Response }
  | {
    ok: true;
    principal: Principal | undefined;
    offeredProtocols: string[];
    attach<C extends WebSocketConnection<unknown>>(conn: C): C;
    abandon(): void;
  };

interface _Handshake {
  request: Request;
  id: string;
  ip: string;
  principal: Principal | undefined;
  release: () => void;
}

const _PROTOCOL_VIOLATIONS = new Set([1002, 1007, 1009]);

/**
 * The security policy of a server: pass it as `security` to `serve()` or `upgrade()`. One
 * instance holds the rate-limit and ban state, so share it between servers that should share
 * limits. See `docs/SECURITY.md`.
 *
 * @example Refusing an upgrade without a token
 * ```ts
 * import { apiKeyAuthenticator, Security } from "@aero/socket/security";
 * import { serve } from "@aero/socket/server";
 * import assert from "node:assert/strict";
 *
 * const security = new Security({
 *   authenticate: { authenticators: apiKeyAuthenticator([{ key: "k-12345678", subject: "svc" }]) },
 * });
 * const server = serve({ hostname: "127.0.0.1", port: 0, security }, (conn) => conn.close());
 * const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
 * await new Promise((resolve) => (ws.onclose = resolve));
 * assert.equal(security.counters.authFailures, 1);
 * await server.shutdown();
 * ```
 */
export class Security {
  /** The security event stream. */
  readonly audit: AuditLog;
  /** The ban list: `list()`, `ban()`, `lift()`. */
  readonly bans: BanList;
  readonly #counters: SecurityCounters = {
    authFailures: 0,
    originRejections: 0,
    csrfRejections: 0,
    globalLimited: 0,
    upgradesLimited: 0,
    connectionsLimited: 0,
    messagesLimited: 0,
    bytesLimited: 0,
    publishesLimited: 0,
    bannedRejections: 0,
    bans: 0,
    protocolViolations: 0,
    tokensExpired: 0,
    refreshFailures: 0,
    permissionDenials: 0,
  };
  readonly #options: SecurityOptions;
  readonly #clock: Clock;
  readonly #authenticators: readonly Authenticator[];
  readonly #sources: readonly TokenSource[];
  readonly #origins: readonly OriginRule[] | undefined;
  readonly #autoBan: boolean;
  readonly #global: TokenBucket | undefined;
  readonly #upgrades: KeyedBuckets | undefined;
  readonly #publishes: KeyedBuckets | undefined;
  readonly #connectionsPerIp: number;
  readonly #connections = new Map<string, number>();
  readonly #sessions = new WeakMap<object, _SessionState>();

  /** A policy from `options`, validated here (bad options throw `TypeError`/`RangeError`). */
  constructor(options: SecurityOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.audit = options.audit ?? new AuditLog({ clock: this.#clock });
    this.bans = new BanList({ ...(options.bans || {}), clock: this.#clock });
    this.#autoBan = options.bans !== false;
    const auth = options.authenticate;
    this.#authenticators = auth === undefined ? [] : [auth.authenticators].flat();
    if (auth !== undefined && this.#authenticators.length === 0) {
      throw new TypeError("Cannot create security policy: no authenticators");
    }
    this.#sources = auth?.sources ?? [{ type: "header" }];
    const cookie = auth !== undefined && this.#sources.some((source) => source.type === "cookie");
    // Cookies ride along on cross-site requests: the Origin check is what stops hijacking.
    this.#origins = options.origins ?? (cookie ? ["same-origin"] : undefined);
    const limits = options.rateLimits ?? {};
    const clock = this.#clock;
    const global = limits.global ?? null;
    this.#global = global === null ? undefined : new TokenBucket(global, clock);
    const upgrades = limits.upgradesPerIp === undefined
      ? { capacity: 30, interval: 60_000 }
      : limits.upgradesPerIp;
    this.#upgrades = upgrades === null ? undefined : new KeyedBuckets(upgrades, { clock });
    const publishes = limits.publishesPerTopic === undefined
      ? { capacity: 1_000, interval: 1_000 }
      : limits.publishesPerTopic;
    this.#publishes = publishes === null ? undefined : new KeyedBuckets(publishes, { clock });
    this.#connectionsPerIp = limits.connectionsPerIp === undefined
      ? 64
      : limits.connectionsPerIp ?? Infinity;
    if (!(this.#connectionsPerIp >= 1)) {
      throw new RangeError("Cannot create security policy: connectionsPerIp below 1");
    }
    // Validate the per-connection limits now rather than at the first connection.
    for (const limit of [limits.messagesPerConnection, limits.bytesPerConnection]) {
      if (limit !== undefined && limit !== null) new TokenBucket(limit, clock);
    }
  }

  /** Counters of every decision so far (a live, read-only view). */
  get counters(): Readonly<SecurityCounters> {
    return this.#counters;
  }

  /** Lifts the ban of `ip`, with an audit event; `false` when it was not banned. */
  unban(ip: string): boolean {
    const lifted = this.bans.lift(ip);
    if (lifted) this.#record({ type: "ban_lifted", ip, connectionId: undefined, reason: "lifted" });
    return lifted;
  }

  /** The session of a connection accepted with this policy, or `undefined`. */
  session(conn: WebSocketConnection<unknown>): Session | undefined {
    return this.#sessions.get(conn);
  }

  /**
   * Spends one publish from `topic`'s bucket: the router calls it before a publish and refuses
   * the publish when it returns `false` (counted and audited).
   */
  allowPublish(topic: string, conn?: WebSocketConnection<unknown>): boolean {
    if (this.#publishes === undefined || this.#publishes.take(topic).ok) return true;
    this.#counters.publishesLimited++;
    const session = conn === undefined ? undefined : this.#sessions.get(conn);
    this.#violation({
      type: "rate_limit",
      limit: "publishesPerTopic",
      ip: session?.ip ?? "unknown",
      connectionId: session?.id,
      reason: `publish rate exceeded on ${topic}`,
    });
    return false;
  }

  /**
   * Reports an action refused by permissions (the router calls it after `permissions.can`
   * said no), so it is counted and audited.
   */
  denied(conn: WebSocketConnection<unknown>, action: string, resource: string): void {
    this.#counters.permissionDenials++;
    const session = this.#sessions.get(conn);
    this.#record({
      type: "permission_denied",
      ip: session?.ip ?? "unknown",
      connectionId: session?.id,
      reason: `${action} ${resource}`,
      ...(session?.principal?.subject === undefined ? {} : { subject: session.principal.subject }),
    });
  }

  /**
   * @internal Decides an upgrade request: bans, rate limits, Origin, CSRF, then authentication.
   * Never throws; a refusal carries the response to answer with.
   */
  async admit(
    request: Request,
    remoteAddress: Deno.NetAddr | undefined,
    offered: readonly string[],
  ): Promise<_Admission> {
    const ip = clientIp(remoteAddress, request.headers, this.#options.trustedProxies);
    const id = crypto.randomUUID();
    const refused = this.#screen(request, ip, id);
    if (refused !== undefined) return { ok: false, response: refused };
    let principal: Principal | undefined;
    if (this.#authenticators.length > 0) {
      const found = extractToken(request, this.#sources);
      const optional = this.#options.authenticate?.optional === true;
      const result: AuthResult | undefined = found !== undefined
        ? await this.authenticate(found.token, request, ip)
        : optional
        ? undefined
        : { ok: false, status: 401, reason: "missing token" };
      if (result !== undefined && !result.ok) {
        this.#counters.authFailures++;
        this.#violation({
          type: "auth_failure",
          ip,
          connectionId: id,
          reason: result.reason,
          status: result.status,
        });
        return { ok: false, response: _refusal(result.status, result.reason) };
      }
      principal = result?.principal;
    }
    const count = this.#connections.get(ip) ?? 0;
    this.#connections.set(ip, count + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.#connections.get(ip) ?? 1) - 1;
      if (left <= 0) this.#connections.delete(ip);
      else this.#connections.set(ip, left);
    };
    return {
      ok: true,
      principal,
      offeredProtocols: stripTokenProtocols(offered, this.#sources),
      attach: (conn) => this.#attach(conn, { request, id, ip, principal, release }),
      abandon: release,
    };
  }

  /** @internal Runs the authenticators in order on `token`. */
  async authenticate(token: string, request: Request, ip: string): Promise<AuthResult> {
    let first: AuthResult | undefined;
    for (const authenticator of this.#authenticators) {
      const result = await authenticator.authenticate(token, {
        request,
        ip,
        now: this.#clock.now(),
      });
      if (result.ok) return result;
      first ??= result;
    }
    return first ?? { ok: false, status: 401, reason: "no authenticator" };
  }

  // The cheap checks, before any cryptography.
  #screen(request: Request, ip: string, id: string): Response | undefined {
    if (this.bans.get(ip) !== undefined) {
      this.#counters.bannedRejections++;
      return _refusal(403, "banned");
    }
    if (this.#global !== undefined) {
      const taken = this.#global.take();
      if (!taken.ok) return this.#limited("global", "globalLimited", ip, id, taken.retryAfter);
    }
    if (this.#upgrades !== undefined) {
      const taken = this.#upgrades.take(ip);
      if (!taken.ok) {
        return this.#limited("upgradesPerIp", "upgradesLimited", ip, id, taken.retryAfter);
      }
    }
    if ((this.#connections.get(ip) ?? 0) >= this.#connectionsPerIp) {
      return this.#limited("connectionsPerIp", "connectionsLimited", ip, id, undefined);
    }
    if (
      this.#origins !== undefined &&
      !isOriginAllowed(request, this.#origins, this.#options.allowMissingOrigin ?? false)
    ) {
      this.#counters.originRejections++;
      const reason = `origin ${request.headers.get("origin") ?? "missing"} not allowed`;
      this.#violation({ type: "origin_rejected", ip, connectionId: id, reason, status: 403 });
      return _refusal(403, "origin not allowed");
    }
    const csrf = this.#options.csrf;
    if (csrf !== undefined && csrf !== false && !checkCsrf(request, csrf === true ? {} : csrf)) {
      this.#counters.csrfRejections++;
      this.#violation({
        type: "csrf_rejected",
        ip,
        connectionId: id,
        reason: "CSRF token mismatch",
        status: 403,
      });
      return _refusal(403, "CSRF token mismatch");
    }
    return undefined;
  }

  #limited(
    limit: string,
    counter: keyof SecurityCounters,
    ip: string,
    id: string,
    retryAfter: number | undefined,
  ): Response {
    this.#counters[counter]++;
    this.#violation({
      type: "rate_limit",
      limit,
      ip,
      connectionId: id,
      reason: `${limit} exceeded`,
      status: 429,
    });
    const headers: HeadersInit = retryAfter === undefined || !Number.isFinite(retryAfter)
      ? {}
      : { "retry-after": String(Math.max(1, Math.ceil(retryAfter / 1000))) };
    return _refusal(429, "rate limit exceeded", headers);
  }

  #attach<C extends WebSocketConnection<unknown>>(conn: C, handshake: _Handshake): C {
    const { request, id, ip, principal, release } = handshake;
    const limits = this.#options.rateLimits ?? {};
    const messages = limits.messagesPerConnection === undefined
      ? { capacity: 200, interval: 1_000 }
      : limits.messagesPerConnection;
    const bytes = limits.bytesPerConnection === undefined
      ? { capacity: 4 * 1024 * 1024, interval: 1_000 }
      : limits.bytesPerConnection;
    const messageBucket = messages === null ? undefined : new TokenBucket(messages, this.#clock);
    const byteBucket = bytes === null ? undefined : new TokenBucket(bytes, this.#clock);
    let closing = false;
    const guarded = messageBucket === undefined && byteBucket === undefined
      ? conn
      : _meter(conn, (message) => {
        if (closing) return false;
        const size = message.data.length;
        const limit = messageBucket?.take().ok === false
          ? "messagesPerConnection"
          : byteBucket?.take(size).ok === false
          ? "bytesPerConnection"
          : undefined;
        if (limit === undefined) return true;
        closing = true;
        this.#counters[limit === "messagesPerConnection" ? "messagesLimited" : "bytesLimited"]++;
        this.#violation({
          type: "rate_limit",
          limit,
          ip,
          connectionId: id,
          reason: `${limit} exceeded`,
          closeCode: 1008,
        });
        conn.close(1008, "rate limit exceeded");
        return false;
      });
    const state = new _SessionState({
      id,
      ip,
      principal,
      permissionsOf: (current) =>
        current === undefined
          ? createPermissions([])
          : permissionsFromClaims(current.claims, this.#options.authenticate?.permissions),
      clock: this.#clock,
      authenticate: (token) => this.authenticate(token, request, ip),
      onExpired: (session) => {
        this.#counters.tokensExpired++;
        this.#record({
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
        this.#counters.refreshFailures++;
        this.#violation({
          type: "auth_failure",
          ip,
          connectionId: id,
          reason: `refresh refused: ${reason}`,
          ..._subject(principal),
        });
      },
    });
    this.#sessions.set(guarded, state);
    this.#sessions.set(conn, state);
    conn.closed.then((info) => {
      release();
      state.dispose();
      // Only failures we detected (they carry the error), not close codes the peer sent.
      if (_PROTOCOL_VIOLATIONS.has(info.code) && info.error !== undefined) {
        this.#counters.protocolViolations++;
        this.#violation({
          type: "protocol_violation",
          ip,
          connectionId: id,
          reason: info.reason || `close ${info.code}`,
          closeCode: info.code,
        });
      }
    });
    return guarded;
  }

  #violation(event: AuditEventInit): void {
    this.#record(event);
    if (!this.#autoBan) return;
    const ban = this.bans.recordViolation(event.ip, event.reason);
    if (ban !== undefined) this.#banned(ban);
  }

  #banned(ban: Ban): void {
    this.#counters.bans++;
    const seconds = Math.round((ban.until - ban.since) / 1000);
    this.#record({
      type: "ban",
      ip: ban.ip,
      connectionId: undefined,
      reason: `${ban.reason} (banned ${seconds}s, offense ${ban.offenses})`,
    });
  }

  #record(event: AuditEventInit): void {
    this.audit.record(event);
  }
}

function _subject(principal: Principal | undefined): { subject?: string } {
  return principal?.subject === undefined ? {} : { subject: principal.subject };
}

function _refusal(status: number, reason: string, headers: HeadersInit = {}): Response {
  const all = new Headers(headers);
  all.set("content-type", "text/plain; charset=utf-8");
  // RFC 6750 §3: a 401 for a bearer token says so.
  if (status === 401) all.set("www-authenticate", 'Bearer error="invalid_token"');
  return new Response(`${reason}\n`, { status, headers: all });
}
