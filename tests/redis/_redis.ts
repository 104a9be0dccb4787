import type { Broker } from "@aero/socket/messaging";
import { RedisBroker, type RedisBrokerOptions } from "@aero/socket/redis";

/** Whether Redis answers PING on 127.0.0.1:6379. */
async function _ping(): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: 6379 });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buffer = new Uint8Array(16);
      const n = await Promise.race([
        conn.read(buffer),
        new Promise<null>((resolve) => setTimeout(resolve, 1_000, null)),
      ]);
      return n !== null && new TextDecoder().decode(buffer.subarray(0, n)).startsWith("+PONG");
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

/** `true` when the Redis tests run; registers a loud failure (CI) or prints a visible skip otherwise. */
export async function redisReady(file: string): Promise<boolean> {
  if (await _ping()) return true;
  if (Deno.env.get("CI") === "true") {
    Deno.test(`${file}: Redis is reachable on 127.0.0.1:6379 (required in CI)`, () => {
      throw new Error("Cannot run the Redis tests: nothing answers on 127.0.0.1:6379");
    });
  } else {
    console.warn(
      `SKIPPED ${file}: Redis is not reachable on 127.0.0.1:6379 (with CI=true it fails)`,
    );
  }
  return false;
}

/** A key prefix unique to this test run. */
export const RUN_PREFIX = `aero-test:${crypto.randomUUID().slice(0, 8)}:`;
let _next = 0;

/** A fresh key prefix under {@linkcode RUN_PREFIX}. */
export function freshPrefix(): string {
  return `${RUN_PREFIX}${++_next}:`;
}

/** Connects a broker whose `close()` also deletes its keys. */
export async function tidyBroker(
  options: RedisBrokerOptions = {},
): Promise<Broker & { prefix: string }> {
  const broker = await RedisBroker.connect({ keyPrefix: freshPrefix(), ...options });
  return {
    prefix: broker.keyPrefix,
    subscribe: (listener) => broker.subscribe(listener),
    publish: (topic, data) => broker.publish(topic, data),
    history: (topic, history) => broker.history(topic, history),
    join: (topic, member) => broker.join(topic, member),
    leave: (topic, session) => broker.leave(topic, session),
    presence: (topic) => broker.presence(topic),
    close: async () => {
      await broker.close();
      const cleaner = await RedisBroker.connect({ keyPrefix: broker.keyPrefix });
      await cleaner.destroyKeys();
      await cleaner.close();
    },
  };
}

export { until } from "../_until.ts";
