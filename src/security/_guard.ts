import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Message } from "../protocol/message.ts";

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
