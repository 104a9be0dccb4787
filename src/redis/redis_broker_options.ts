/** Options for {@linkcode RedisBroker.connect}. */
export interface RedisBrokerOptions {
  /**
   * The Redis or Valkey server, as a `redis://` or `rediss://` (TLS) URL; credentials and the
   * database number may be part of it (`redis://user:pass@host:6379/2`).
   *
   * @default {"redis://127.0.0.1:6379"}
   */
  url?: string;
  /** Milliseconds to wait for each connection to open. @default {5_000} */
  connectTimeout?: number;
  /**
   * Whether a connection lost after `connect()` reconnects (after 50 ms, growing to 2 s between
   * attempts). A server unreachable at `connect()` always rejects it.
   *
   * @default {true}
   */
  reconnect?: boolean;
  /**
   * Prefix of every key and channel the broker uses. Instances that serve the same clients
   * must share it; different applications on one server must not.
   *
   * @default {"aero:"}
   */
  keyPrefix?: string;
  /** Most messages kept per topic (`XADD … MAXLEN`). @default {100} */
  maxHistory?: number;
  /** Milliseconds a message stays in history (`XTRIM … MINID`). @default {300_000} */
  historyTtl?: number;
  /**
   * Milliseconds a topic's epoch, offset and history outlive its last publication or history
   * read; an idle topic then disappears from Redis and starts a new epoch when used again.
   * `0` keeps every topic forever.
   *
   * @default {86_400_000} (one day)
   */
  topicTtl?: number;
  /**
   * Milliseconds a crashed instance's presence members stay visible: every instance renews its
   * liveness every `presenceTtl / 3` and removes the members of instances that stopped.
   *
   * @default {15_000}
   */
  presenceTtl?: number;
  /**
   * The broker clock for message times and history age.
   *
   * @default {undefined} (the Redis server's clock, the same for every instance)
   */
  now?: () => number;
  /**
   * Receives errors of subscription listeners, heartbeats and the Redis connections (which
   * reconnect by themselves).
   *
   * @default {undefined} (logged through LogTape as errors under `["aero", "redis"]`, which is
   * silent unless the application configures LogTape)
   */
  onError?: (error: unknown) => void;
}

/** @internal {@linkcode RedisBrokerOptions} with defaults applied, validated. */
export interface _ResolvedRedisBrokerOptions {
  url: string;
  connectTimeout: number;
  reconnect: boolean;
  keyPrefix: string;
  maxHistory: number;
  historyTtl: number;
  topicTtl: number;
  presenceTtl: number;
  now: (() => number) | undefined;
  onError: ((error: unknown) => void) | undefined;
}

/** @internal Applies the defaults and checks every value. */
export function _resolveRedisBrokerOptions(
  options: RedisBrokerOptions,
): _ResolvedRedisBrokerOptions {
  const resolved = {
    url: options.url ?? "redis://127.0.0.1:6379",
    connectTimeout: options.connectTimeout ?? 5_000,
    reconnect: options.reconnect ?? true,
    keyPrefix: options.keyPrefix ?? "aero:",
    maxHistory: options.maxHistory ?? 100,
    historyTtl: options.historyTtl ?? 300_000,
    topicTtl: options.topicTtl ?? 86_400_000,
    presenceTtl: options.presenceTtl ?? 15_000,
    now: options.now,
    onError: options.onError,
  };
  for (const name of ["maxHistory", "historyTtl", "topicTtl", "connectTimeout"] as const) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`Cannot create broker: invalid ${name} ${value}`);
    }
  }
  if (!Number.isSafeInteger(resolved.presenceTtl) || resolved.presenceTtl < 3) {
    throw new RangeError(`Cannot create broker: invalid presenceTtl ${resolved.presenceTtl}`);
  }
  if (typeof resolved.keyPrefix !== "string" || /[\s\p{Cc}]/u.test(resolved.keyPrefix)) {
    throw new TypeError(
      "Cannot create broker: keyPrefix must hold no whitespace or control characters",
    );
  }
  return resolved;
}
