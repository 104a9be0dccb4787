/**
 * An echo server: every text and binary message comes back unchanged.
 *
 *     deno run -A examples/echo.ts [--port 8080] [--hostname 127.0.0.1]
 *       [--engine streams|native] [--tls-cert cert.pem --tls-key key.pem] [--deflate]
 *       [--ops-port 9090]
 *
 * `/metrics` (Prometheus), `/healthz` and `/readyz` are served on `--ops-port` (default 9090,
 * same hostname); `/readyz` answers 503 once shutdown begins.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { perMessageDeflate } from "../src/extensions/mod.ts";
import { serve, type ServeOptions } from "../src/server/mod.ts";
import { Health, monitorEventLoop, serveOps, ServerMetrics } from "../src/observability/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "8080" },
    hostname: { type: "string", default: "127.0.0.1" },
    engine: { type: "string", default: "streams" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    deflate: { type: "boolean", default: false },
    "ops-port": { type: "string", default: "9090" },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Cannot start: invalid --port ${values.port}`);
  Deno.exit(2);
}
if (values.engine !== "streams" && values.engine !== "native") {
  console.error(`Cannot start: --engine must be streams or native, not ${values.engine}`);
  Deno.exit(2);
}
if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
  console.error("Cannot start: --tls-cert and --tls-key go together");
  Deno.exit(2);
}

const options: ServeOptions = { port, hostname: values.hostname, engine: values.engine };
if (values["tls-cert"] !== undefined && values["tls-key"] !== undefined) {
  options.tls = {
    cert: Deno.readTextFileSync(values["tls-cert"]),
    key: Deno.readTextFileSync(values["tls-key"]),
  };
}

if (values.deflate) {
  if (values.engine === "native") {
    console.error("Cannot start: --deflate needs the streams engine (Deno's WebSocket has none)");
    Deno.exit(2);
  }
  options.extensions = [perMessageDeflate()];
}

const opsPort = Number(values["ops-port"]);
if (!Number.isInteger(opsPort) || opsPort < 0 || opsPort > 65535) {
  console.error(`Cannot start: invalid --ops-port ${values["ops-port"]}`);
  Deno.exit(2);
}
const metrics = new ServerMetrics();
options.metrics = metrics;

const server = serve(options, async (conn) => {
  for await (const message of conn) conn.send(message.data);
});
console.log(`echo server (${server.engine} engine) listening on ${server.url}`);
using _lag = monitorEventLoop(metrics);
try {
  serveOps({
    port: opsPort,
    hostname: values.hostname,
    metrics,
    health: new Health().watch(server),
    onListen: (addr) => console.log(`/metrics, /healthz, /readyz on port ${addr.port}`),
  });
} catch (error) {
  // The echo service still runs (benchmarks may start several); say why the probes are missing.
  console.error(`Cannot serve /metrics, /healthz, /readyz on port ${opsPort}: ${error}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => server.shutdown().then(() => Deno.exit(0)));
}
await server.finished;
