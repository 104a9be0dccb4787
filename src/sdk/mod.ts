/**
 * The `aero.v1` client SDK for Deno and browsers: {@linkcode AeroClient} keeps one logical
 * session over reconnecting WebSocket connections — backoff with full jitter, circuit breaker,
 * keepalive, resubscription with recovery, offline queue, typed publish/subscribe, RPC in both
 * directions and presence. {@linkcode createManualClock} drives its timers in tests.
 *
 * @example Exponential backoff with full jitter
 * ```ts
 * import { backoffDelay } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * assert.equal(backoffDelay(2, { base: 100, max: 10_000 }, () => 0.5), 200);
 * ```
 *
 * @module
 */
export * from "./aero_client.ts";
export * from "./backoff.ts";
export * from "./call_options.ts";
export * from "./circuit_breaker.ts";
export type {
  AeroClientOptions,
  ClientKeepaliveOptions,
  Dialer,
  ReconnectOptions,
} from "./client_options.ts";
export * from "./client_state.ts";
export * from "./clock.ts";
export * from "./offline_queue.ts";
export * from "../messaging/schema.ts";
export * from "./subscription.ts";
export * from "./wire_types.ts";
