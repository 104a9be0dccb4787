import assert from "node:assert/strict";
import { startChat } from "../../examples/chat.ts";
import { connect } from "../../src/client/mod.ts";
import type { Connection } from "../../src/connection/connection.ts";
import { AeroTestClient } from "../messaging/_aero_client.ts";
import { sample, scrape } from "../observability/_scrape.ts";

Deno.test("Chat example serves /metrics, /healthz and /readyz on its ops port with router metrics", async () => {
  await using chat = await startChat({ port: 0, hostname: "127.0.0.1", opsPort: 0 });
  const ops = `http://127.0.0.1:${chat.opsAddr!.port}`;
  assert.equal(await (await fetch(`${ops}/healthz`)).text(), "ok\n");
  const ready = await fetch(`${ops}/readyz`);
  assert.equal(ready.status, 200);
  await ready.body?.cancel();
  const conn = await connect(chat.url.replace("http:", "ws:"), { protocols: ["aero.v1.json"] });
  const client = new AeroTestClient(conn as Connection, "aero.v1.json");
  client.send({ type: "connect", data: { nick: "ada" } });
  assert.equal((await client.next()).type, "welcome");
  assert.equal(
    (await client.call({ type: "request", method: "chat.enter", data: { room: "lobby" } })).data,
    null,
  );
  const sent = await client.call({
    type: "request",
    method: "chat.send",
    data: { room: "lobby", text: "hello" },
  });
  assert.equal(sent.data.offset, 1);
  const text = await scrape(`${ops}/metrics`);
  assert.equal(sample(text, 'aero_rpc_calls_total{method="chat.enter"}'), 1);
  assert.equal(sample(text, 'aero_rpc_calls_total{method="chat.send"}'), 1);
  assert.equal(sample(text, "aero_publishes_total"), 1);
  assert.equal(sample(text, "aero_publish_deliveries_total"), 1);
  assert.equal(sample(text, 'aero_connections_opened_total{engine="streams"}'), 1);
  await client.close();
});
