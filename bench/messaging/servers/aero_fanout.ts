// Fan-out server for the benchmark: serve() and the router. wsload's connections are plain
// (no aero subprotocol), so each is mounted with `router.attach`: subscribed to one topic,
// receiving the bare payload of each publication. The connection that sends (wsload's single
// sender) leaves the topic on its first message, and each of its messages is published through
// the router (broker offset, history, fan-out index, one encoding and one shared frame for all).
//
// Usage: deno run -A bench/messaging/servers/aero_fanout.ts [--port N] [--hostname H]
//          [--engine streams|native]
import { parseArgs } from "node:util";
import { serve } from "../../../src/server/mod.ts";
import { createRouter } from "../../../src/messaging/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "8080" },
    hostname: { type: "string", default: "127.0.0.1" },
    engine: { type: "string", default: "streams" },
  },
});
if (values.engine !== "streams" && values.engine !== "native") {
  throw new TypeError(`Cannot start: --engine must be streams or native, not ${values.engine}`);
}

const TOPIC = "bench";
const router = createRouter();
const senders = new Set<string>();
const server = serve(
  { hostname: values.hostname, port: Number(values.port), engine: values.engine },
  (conn) =>
    router.attach(conn, {
      topics: [TOPIC],
      onMessage: (message, session) => {
        if (!senders.has(session)) {
          senders.add(session);
          router.unsubscribe(session, TOPIC);
        }
        return router.publish(TOPIC, message.data);
      },
    }),
);
console.log(`aero fan-out (${server.engine} engine) on ${server.url}`);
Deno.addSignalListener("SIGTERM", async () => {
  await server.shutdown({ timeout: 1_000 });
  await router.close();
  Deno.exit(0);
});
