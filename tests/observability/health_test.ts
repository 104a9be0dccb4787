import assert from "node:assert/strict";
import { serve } from "../../src/server/mod.ts";
import { Health, serveOps, ServerMetrics } from "../../src/observability/mod.ts";
import { rawConnect, readToEnd, upgradeHead, write } from "../server/_helpers.ts";
import { ENGINES } from "../server/_helpers.ts";

for (const engine of ENGINES) {
  Deno.test(`/readyz flips to 503 while the server drains (${engine} engine)`, async () => {
    const metrics = new ServerMetrics();
    const server = serve({ hostname: "127.0.0.1", port: 0, engine, metrics }, () => {});
    const health = new Health().watch(server);
    await using ops = serveOps({ port: 0, metrics, health });
    const base = `http://127.0.0.1:${ops.addr.port}`;
    let response = await fetch(`${base}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ready: true, draining: false, checks: {} });

    // A raw client that never answers the close frame keeps the server draining.
    const raw = await rawConnect(server.addr.port);
    await write(raw, upgradeHead());
    const ended = readToEnd(raw);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopping = server.shutdown({ timeout: 400 });
    response = await fetch(`${base}/readyz`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { ready: false, draining: true, checks: {} });
    response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200, "still live while draining");
    await response.body?.cancel();
    await stopping;
    await ended;
  });
}

Deno.test("/readyz follows readiness checks, with a timeout; /healthz follows setLive", async () => {
  let brokerUp = false;
  const health = new Health({ checkTimeout: 50 })
    .addCheck("broker", () => brokerUp)
    .addCheck("slow", () => new Promise<boolean>(() => {}));
  await using ops = serveOps({ port: 0, health });
  const base = `http://127.0.0.1:${ops.addr.port}`;
  let response = await fetch(`${base}/readyz`);
  assert.equal(response.status, 503);
  assert.deepEqual(await response.json(), {
    ready: false,
    draining: false,
    checks: { broker: false, slow: false },
  });
  brokerUp = true;
  health.removeCheck("slow");
  response = await fetch(`${base}/readyz`);
  assert.equal(response.status, 200);
  await response.body?.cancel();
  health.setLive(false);
  response = await fetch(`${base}/healthz`);
  assert.equal(response.status, 503);
  await response.body?.cancel();
  response = await fetch(`${base}/metrics`);
  assert.equal(response.status, 404, "no metrics source given");
  await response.body?.cancel();
  response = await fetch(`${base}/readyz`, { method: "POST" });
  assert.equal(response.status, 405);
  await response.body?.cancel();
});
