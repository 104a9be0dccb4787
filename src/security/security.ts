import type { OriginRule } from "../auth/origin_policy.ts";
import type { Authenticator, AuthResult, Principal } from "../auth/principal.ts";
import { extractToken, stripTokenProtocols, type TokenSource } from "../auth/token_source.ts";
import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import { type Ban, BanList } from "../limits/ban_list.ts";
import { clientIp } from "../limits/client_ip.ts";
import { type Clock, SYSTEM_CLOCK } from "../limits/clock.ts";
import { type AuditEventInit, AuditLog } from "./audit_log.ts";
import { _ConnectionCounts } from "./_connection_counts.ts";
import { _limitConnection } from "./_guard.ts";
import { _openSession } from "./_open_session.ts";
import { type _RateLimits, _resolveRateLimits } from "./_rate_limits.ts";
import type { _Reporter } from "./_reporter.ts";
import type { _SessionState } from "./_session_state.ts";
import { _refusal, _screenUpgrade, type _UpgradeChecks } from "./_upgrade_checks.ts";
import type { Session } from "./session.ts";
import type { SecurityCounters } from "./security_counters.ts";
import type { SecurityOptions } from "./security_options.ts";

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

// Close codes of failures the connection detected itself (RFC 6455 §7.4.1).
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
  readonly #autoBan: boolean;
  readonly #limits: _RateLimits;
  readonly #connections = new _ConnectionCounts();
  readonly #sessions = new WeakMap<object, _SessionState>();
  readonly #reporter: _Reporter = {
    count: (counter) => this.#counters[counter]++,
    record: (event) => this.#record(event),
    violation: (event) => this.#violation(event),
  };
  readonly #checks: _UpgradeChecks;

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
    const origins: readonly OriginRule[] | undefined = options.origins ??
      (cookie ? ["same-origin"] : undefined);
    this.#limits = _resolveRateLimits(options.rateLimits ?? {}, this.#clock);
    this.#checks = {
      options,
      bans: this.bans,
      limits: this.#limits,
      connections: this.#connections,
      origins,
      reporter: this.#reporter,
    };
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
    const publishes = this.#limits.publishes;
    if (publishes === undefined || publishes.take(topic).ok) return true;
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
    const refused = _screenUpgrade(request, ip, id, this.#checks);
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
    const release = this.#connections.acquire(ip);
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

  #attach<C extends WebSocketConnection<unknown>>(conn: C, handshake: _Handshake): C {
    const { request, id, ip, principal, release } = handshake;
    const limits = this.#options.rateLimits ?? {};
    const guarded = _limitConnection(conn, limits, this.#clock, (limit) => {
      this.#counters[limit === "messagesPerConnection" ? "messagesLimited" : "bytesLimited"]++;
      this.#violation({
        type: "rate_limit",
        limit,
        ip,
        connectionId: id,
        reason: `${limit} exceeded`,
        closeCode: 1008,
      });
    });
    const state = _openSession(conn, {
      id,
      ip,
      principal,
      options: this.#options,
      clock: this.#clock,
      reporter: this.#reporter,
      authenticate: (token) => this.authenticate(token, request, ip),
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
