import assert from "node:assert/strict";
import { encodeFrame, OPCODE } from "../../src/protocol/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { createOpsHandler, ServerMetrics } from "../../src/observability/mod.ts";
import {
  closeEvent,
  ENGINES,
  nextMessage,
  openWebSocket,
  rawConnect,
  readToEnd,
  upgradeHead,
  write,
} from "../server/_helpers.ts";
import { until } from "../_until.ts";
import { sample, scrape } from "./_scrape.ts";

const _echo = async (
  conn:
    & { send(data: string | Uint8Array): boolean }
    & AsyncIterable<
      { data: string | Uint8Array }
    >,
) => {
  for await (const message of conn) conn.send(message.data);
};

for (const engine of ENGINES) {
  Deno.test(`/metrics on the server's own port reports exact counts after scripted traffic (${engine} engine)`, async () => {
    const metrics = new ServerMetrics();
    const server = serve({
      hostname: "127.0.0.1",
      port: 0,
      engine,
      metrics,
      fetch: createOpsHandler({ metrics }),
      onUpgrade: (request) =>
        new URL(request.url).pathname === "/deny" ? new Response("no", { status: 403 }) : undefined,
    }, _echo);
    try {
      const ws = await openWebSocket(server.url);
      ws.send("hello");
      ws.send("héllo");
      ws.send(new Uint8Array([1, 2, 3]));
      for (let i = 0; i < 3; i++) await nextMessage(ws);
      ws.close(1000);
      await closeEvent(ws);

      const denied = new WebSocket(`${server.url}deny`);
      denied.onerror = () => {};
      await closeEvent(denied);

      let expectedOpened = 1;
      if (engine === "streams") {
        // An unmasked client frame fails the connection (RFC 6455 §5.1).
        const raw = await rawConnect(server.addr.port);
        const frame = encodeFrame({
          fin: true,
          rsv: 0,
          opcode: OPCODE.TEXT,
          payload: new TextEncoder().encode("x"),
        });
        await write(raw, upgradeHead());
        await write(raw, frame);
        await readToEnd(raw);
        expectedOpened = 2;
      }
      await until(() =>
        metrics.openConnections(engine) === 0 &&
        sample(metrics.render(), `aero_connections_opened_total{engine="${engine}"}`) ===
          expectedOpened
      );

      const text = await scrape(`http://127.0.0.1:${server.addr.port}/metrics`);
      const expected: Record<string, number> = {
        [`aero_connections_open{engine="${engine}"}`]: 0,
        [`aero_connections_opened_total{engine="${engine}"}`]: expectedOpened,
        [`aero_connections_closed_total{engine="${engine}",code="1000"}`]: 1,
        [`aero_handshake_rejections_total{engine="${engine}",status="403",reason="forbidden"}`]: 1,
        'aero_messages_total{direction="in",type="text"}': 2,
        'aero_messages_total{direction="in",type="binary"}': 1,
        'aero_messages_total{direction="out",type="text"}': 2,
        'aero_messages_total{direction="out",type="binary"}': 1,
        'aero_message_bytes_total{direction="in",type="text"}': 11,
        'aero_message_bytes_total{direction="in",type="binary"}': 3,
        'aero_message_bytes_total{direction="out",type="text"}': 11,
        'aero_message_bytes_total{direction="out",type="binary"}': 3,
        'aero_compressed_bytes_total{direction="in"}': 0,
        "aero_outbound_queue_bytes": 0,
        "aero_keepalive_timeouts_total": 0,
        "aero_bans_total": 0,
        'aero_history_recoveries_total{result="incomplete"}': 0,
        'aero_rate_limit_rejections_total{scope="ip"}': 0,
      };
      if (engine === "streams") {
        expected[`aero_connections_closed_total{engine="streams",code="1002"}`] = 1;
        expected['aero_protocol_errors_total{code="UNMASKED_FRAME"}'] = 1;
      }
      for (const [series, value] of Object.entries(expected)) {
        assert.equal(sample(text, series), value, series);
      }
    } finally {
      await server.shutdown({ timeout: 1_000 });
    }
  });
}

Deno.test("ServerMetrics counts keepalive timeouts and slow-consumer drops (streams engine)", async () => {
  const metrics = new ServerMetrics();
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    metrics,
    keepalive: { pingInterval: 50, idleTimeout: 150 },
    maxBufferedAmount: 10,
    slowConsumer: { policy: "drop" },
  }, (conn) => {
    // 2 header bytes + 8 fill the 10-byte budget: the next two are refused.
    for (let i = 0; i < 3; i++) conn.send(new Uint8Array(8));
  });
  try {
    const raw = await rawConnect(server.addr.port);
    await write(raw, upgradeHead());
    // Never answers the pings: the idle timeout closes the connection.
    await readToEnd(raw);
    await until(() => metrics.openConnections("streams") === 0);
    const text = metrics.render();
    assert.equal(sample(text, "aero_keepalive_timeouts_total"), 1);
    assert.equal(sample(text, 'aero_slow_consumer_actions_total{action="drop"}'), 2);
    assert.equal(sample(text, 'aero_slow_consumer_actions_total{action="close"}'), 0);
    assert.equal(sample(text, 'aero_messages_total{direction="out",type="binary"}'), 1);
    assert.equal(sample(text, 'aero_message_bytes_total{direction="out",type="binary"}'), 8);
    assert.equal(sample(text, 'aero_connections_closed_total{engine="streams",code="1006"}'), 1);
  } finally {
    await server.shutdown({ timeout: 1_000 });
  }
});
