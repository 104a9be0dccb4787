import assert from "node:assert/strict";
import { type MetricFamily, renderPrometheus, ServerMetrics } from "../../src/observability/mod.ts";
import { sample } from "./_scrape.ts";

Deno.test("renderPrometheus escapes label values and help text", () => {
  const text = renderPrometheus([{
    name: "aero_x_total",
    help: "line one\nback\\slash",
    type: "counter",
    samples: [{ labels: { reason: 'a"b\\c\nd', code: "1" }, value: 3 }],
  }]);
  assert.equal(
    text,
    "# HELP aero_x_total line one\\nback\\\\slash\n# TYPE aero_x_total counter\n" +
      'aero_x_total{reason="a\\"b\\\\c\\nd",code="1"} 3\n',
  );
});

Deno.test("renderPrometheus renders gauges with special values and families without samples", () => {
  const text = renderPrometheus([
    { name: "aero_g", help: "g", type: "gauge", samples: [{ labels: {}, value: -Infinity }] },
    { name: "aero_empty_total", help: "e", type: "counter", samples: [] },
  ]);
  assert.equal(
    text,
    "# HELP aero_g g\n# TYPE aero_g gauge\naero_g -Inf\n" +
      "# HELP aero_empty_total e\n# TYPE aero_empty_total counter\n",
  );
});

Deno.test("renderPrometheus rejects invalid names, reserved labels and counters without _total", () => {
  const bad: MetricFamily[] = [
    { name: "aero-x", help: "", type: "gauge", samples: [] },
    { name: "aero_x", help: "", type: "counter", samples: [] },
    { name: "aero_x", help: "", type: "gauge", samples: [{ labels: { __a: "1" }, value: 1 }] },
    { name: "aero_x", help: "", type: "gauge", samples: [{ labels: { "a-b": "1" }, value: 1 }] },
    {
      name: "aero_h",
      help: "",
      type: "histogram",
      samples: [{ labels: {}, bounds: [1, 2], buckets: [1], sum: 0, count: 1 }],
    },
  ];
  for (const family of bad) assert.throws(() => renderPrometheus([family]), TypeError);
});

Deno.test("ServerMetrics names all start with aero_ and follow the unit and _total rules", () => {
  const families = new ServerMetrics().collect();
  assert.ok(families.length >= 20);
  for (const family of families) {
    assert.match(family.name, /^aero_[a-z_]+$/);
    if (family.type === "counter") assert.match(family.name, /_total$/);
    else assert.doesNotMatch(family.name, /_total$/);
    if (/bytes|lag|duration/.test(family.name)) {
      assert.match(family.name, /_(bytes|seconds)(_total)?$/);
    }
  }
});

Deno.test("ServerMetrics record methods render exact values; producer-less counters render 0", () => {
  const metrics = new ServerMetrics();
  let text = metrics.render();
  for (
    const series of [
      "aero_publishes_total",
      "aero_publish_deliveries_total",
      "aero_bans_total",
      'aero_history_recoveries_total{result="complete"}',
      'aero_rate_limit_rejections_total{scope="connection"}',
      'aero_rate_limit_rejections_total{scope="global"}',
      'aero_publish_fanout_bucket{le="+Inf"}',
    ]
  ) assert.equal(sample(text, series), 0, series);
  metrics.recordRpc("sum", 0.003);
  metrics.recordRpc("sum", 0.2, "timeout");
  metrics.recordPublish(0);
  metrics.recordPublish(7);
  metrics.recordHistoryRecovery(true);
  metrics.recordHistoryRecovery(false);
  metrics.recordHistoryRecovery(false);
  metrics.recordRateLimited("ip");
  metrics.recordAuthRejected("invalid_token");
  metrics.recordBan();
  metrics.recordHandshakeRejected("native", 429);
  metrics.protocolError("INVALID_UTF8");
  text = metrics.render();
  const expected: Record<string, number> = {
    'aero_rpc_calls_total{method="sum"}': 2,
    'aero_rpc_errors_total{method="sum",code="timeout"}': 1,
    'aero_rpc_duration_seconds_bucket{method="sum",le="0.005"}': 1,
    'aero_rpc_duration_seconds_bucket{method="sum",le="0.25"}': 2,
    'aero_rpc_duration_seconds_bucket{method="sum",le="+Inf"}': 2,
    'aero_rpc_duration_seconds_sum{method="sum"}': 0.203,
    'aero_rpc_duration_seconds_count{method="sum"}': 2,
    "aero_publishes_total": 2,
    "aero_publish_deliveries_total": 7,
    'aero_publish_fanout_bucket{le="0"}': 1,
    'aero_publish_fanout_bucket{le="5"}': 1,
    'aero_publish_fanout_bucket{le="10"}': 2,
    "aero_publish_fanout_count": 2,
    'aero_history_recoveries_total{result="complete"}': 1,
    'aero_history_recoveries_total{result="incomplete"}': 2,
    'aero_rate_limit_rejections_total{scope="ip"}': 1,
    'aero_auth_rejections_total{reason="invalid_token"}': 1,
    "aero_bans_total": 1,
    'aero_handshake_rejections_total{engine="native",status="429",reason="rate_limited"}': 1,
    'aero_protocol_errors_total{code="INVALID_UTF8"}': 1,
  };
  for (const [series, value] of Object.entries(expected)) {
    assert.equal(sample(text, series), value, series);
  }
});

Deno.test("ServerMetrics bounds label cardinality with an _other series", () => {
  const metrics = new ServerMetrics();
  for (let i = 0; i < 600; i++) metrics.recordAuthRejected(`reason_${i}`);
  const text = metrics.render();
  assert.equal(sample(text, 'aero_auth_rejections_total{reason="_other"}'), 100);
  assert.equal(
    text.split("\n").filter((l) => l.startsWith("aero_auth_rejections_total")).length,
    501,
  );
});

Deno.test("importing the root module loads no OpenTelemetry SDK", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../../mod.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { specifier: string }[];
  };
  const specifiers = info.modules.map((module) => module.specifier);
  assert.ok(specifiers.some((s) => s.includes("/observability/")), "the engines' counters");
  assert.ok(specifiers.some((s) => s.includes("@opentelemetry/api")));
  assert.ok(!specifiers.some((s) => /sdk-metrics|sdk-trace|@opentelemetry\/core/.test(s)));
});

Deno.test("the Grafana dashboard uses exactly the metric names ServerMetrics renders", async () => {
  const dashboard = await Deno.readTextFile(
    new URL("../../deploy/grafana/aero.json", import.meta.url),
  );
  const used = new Set(
    [...dashboard.matchAll(/aero_[a-z_]+/g)].map(([name]) =>
      name.replace(/_(bucket|sum|count)$/, "")
    ),
  );
  const rendered = new Set(new ServerMetrics().collect().map((family) => family.name));
  assert.deepEqual([...used].filter((name) => !rendered.has(name)), []);
  assert.deepEqual([...rendered].filter((name) => !used.has(name)), []);
});
