import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Clock } from "../limits/clock.ts";
import { TokenBucket } from "../limits/token_bucket.ts";
import type { Message } from "../protocol/message.ts";
import { _utf8Length } from "../protocol/_utf8_length.ts";
import type { RateLimitOptions } from "./security_options.ts";

/** @internal A per-connection limit. */
export type _ConnectionLimit = "messagesPerConnection" | "bytesPerConnection";

/**
 * @internal Applies the per-connection message and byte limits of `limits` to `conn`: the first
 * message over a limit is not delivered, `onLimited` is told which limit it was, and the
 * connection is closed with 1008. Returns `conn` itself when both limits are off.
 */
export function _limitConnection<C extends WebSocketConnection<unknown>>(
  conn: C,
  limits: RateLimitOptions,
  clock: Clock,
  onLimited: (limit: _ConnectionLimit) => void,
): C {
  const messages = limits.messagesPerConnection === undefined
    ? { capacity: 200, interval: 1_000 }
    : limits.messagesPerConnection;
  const bytes = limits.bytesPerConnection === undefined
    ? { capacity: 4 * 1024 * 1024, interval: 1_000 }
    : limits.bytesPerConnection;
  const messageBucket = messages === null ? undefined : new TokenBucket(messages, clock);
  const byteBucket = bytes === null ? undefined : new TokenBucket(bytes, clock);
  if (messageBucket === undefined && byteBucket === undefined) return conn;
  let closing = false;
  return _meter(conn, (message) => {
    if (closing) return false;
    // Text counts in UTF-8 bytes, as it crossed the wire (`length` counts UTF-16 units).
    const size = typeof message.data === "string" ? _utf8Length(message.data) : message.data.length;
    const limit: _ConnectionLimit | undefined = messageBucket?.take().ok === false
      ? "messagesPerConnection"
      : byteBucket?.take(size).ok === false
      ? "bytesPerConnection"
      : undefined;
    if (limit === undefined) return true;
    closing = true;
    onLimited(limit);
    // RFC 6455 §7.4.1: 1008 is a policy violation.
    conn.close(1008, "rate limit exceeded");
    return false;
  });
}

/**
 * @internal Wraps `conn` so that every message the application reads is first passed to
 * `admit`; a message it refuses is not delivered. Counting where the application reads keeps the
 * engines untouched: a connection reads from the socket only as fast as it is consumed, so a
 * flooder is held back by TCP until the limit closes it. A `Proxy` keeps the wrapper in step with
 * every other member of the connection.
 */
export function _meter<C extends WebSocketConnection<unknown>>(
  conn: C,
  admit: (message: Message) => boolean,
): C {
  let readable: ReadableStream<Message> | undefined;
  const metered = () =>
    readable ??= (() => {
      const reader = conn.readable.getReader();
      return new ReadableStream<Message>({
        async pull(controller) {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return controller.close();
            if (admit(value)) return controller.enqueue(value);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      }, { highWaterMark: 0 });
    })();
  return new Proxy(conn, {
    get(target, property) {
      if (property === "readable") return metered();
      if (property === Symbol.asyncIterator) {
        return () => metered()[Symbol.asyncIterator]();
      }
      const value = Reflect.get(target, property, target);
      // Methods run against the real connection: its private fields are not on the proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}
