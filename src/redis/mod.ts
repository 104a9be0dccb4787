/**
 * The Redis/Valkey broker for running several instances of a router behind a load balancer:
 * Pub/Sub for live fan-out, Streams for history and recovery, presence with heartbeats.
 * Import it from `@aero/socket/redis`; `@aero/socket` itself never loads the Redis client.
 *
 * @example A router backed by Redis
 * ```ts
 * import { createRouter } from "@aero/socket/messaging";
 * import { RedisBroker } from "@aero/socket/redis";
 * import assert from "node:assert/strict";
 *
 * const broker = await RedisBroker.connect({ keyPrefix: `example:${crypto.randomUUID()}:` });
 * const router = createRouter({ broker });
 * const { message } = await router.publish("news", "hello");
 * assert.equal(message.offset, 1);
 * await router.close();
 * await broker.destroyKeys();
 * await broker.close();
 * ```
 *
 * @module
 */
export * from "./redis_broker.ts";
export type { RedisBrokerOptions } from "./redis_broker_options.ts";
