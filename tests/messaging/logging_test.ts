import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { createRouter, MemoryBroker } from "@aero/socket/messaging";
import { connect } from "./_aero_client.ts";

// Records LogTape output and any console.error call while `body` runs.
async function capture(
  body: () => Promise<void>,
): Promise<{ records: LogRecord[]; console: unknown[] }> {
  const records: LogRecord[] = [];
  const printed: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args);
  await configure({
    sinks: { memory: (record) => records.push(record) },
    loggers: [
      { category: ["aero", "messaging"], sinks: ["memory"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    await body();
  } finally {
    console.error = original;
    await reset();
  }
  return { records, console: printed };
}

Deno.test("Router logs a failing handler through LogTape under aero.messaging, not the console", async () => {
  const { records, console } = await capture(async () => {
    await using router = createRouter();
    router.method("fail", () => {
      throw new Error("boom");
    });
    const { client, handled } = await connect(router);
    const answer = await client.call({ type: "request", method: "fail" });
    assert.equal(answer.error.code, "internal");
    await client.close();
    await handled;
  });
  assert.deepEqual(console, []);
  const record = records.find((r) => r.category.join(".") === "aero.messaging");
  assert.equal(record?.level, "error");
  assert.equal(record?.properties.source, "router");
  assert.equal((record?.properties.error as Error).message, "boom");
});

Deno.test("MemoryBroker logs a throwing listener through LogTape, not the console", async () => {
  const { records, console } = await capture(async () => {
    const broker = new MemoryBroker();
    await broker.subscribe(() => {
      throw new Error("listener");
    }).add("t");
    await broker.publish("t", 1);
    await broker.close();
  });
  assert.deepEqual(console, []);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.properties.source, "broker listener");
});

Deno.test("The messaging layer is silent when LogTape is not configured", async () => {
  const printed: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args);
  try {
    const broker = new MemoryBroker();
    await broker.subscribe(() => {
      throw new Error("listener");
    }).add("t");
    await broker.publish("t", 1);
    await broker.close();
  } finally {
    console.error = original;
  }
  assert.deepEqual(printed, []);
});
