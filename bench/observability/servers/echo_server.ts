/**
 * The echo server the overhead benchmark measures: `--metrics` passes a `ServerMetrics` to
 * `serve()`, so the only difference between the two runs is the counting.
 *
 *     deno run -A bench/observability/servers/echo_server.ts --port 8080 --engine streams [--metrics]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { serve, type ServeOptions } from "../../../src/server/mod.ts";
import { ServerMetrics } from "../../../src/observability/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "8080" },
    engine: { type: "string", default: "streams" },
    metrics: { type: "boolean", default: false },
  },
});
const engine = values.engine === "native" ? "native" : "streams";
const options: ServeOptions = { port: Number(values.port), hostname: "127.0.0.1", engine };
if (values.metrics) options.metrics = new ServerMetrics();
const server = serve(options, async (conn) => {
  for await (const message of conn) conn.send(message.data);
});
console.log(`ready ${server.addr.port}`);
Deno.addSignalListener("SIGTERM", () => server.shutdown().then(() => Deno.exit(0)));
await server.finished;
