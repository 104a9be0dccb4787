// examples/autobahn_client.ts against a small fake of Autobahn|Testsuite's fuzzingserver on
// 127.0.0.1: getCaseCount answers a count, each runCase sends a few messages and checks the
// echoes, updateReports is expected last.
import assert from "node:assert/strict";
import { perMessageDeflate } from "../../src/extensions/mod.ts";
import { serve } from "../../src/server/mod.ts";
import { withTimeout } from "./_timing.ts";

const _CASES: (string | Uint8Array)[][] = [
  ["Hello, world!", new Uint8Array([0, 1, 2, 0xff])],
  ["", new Uint8Array(0), "κόσμε 🦕"],
  ["x".repeat(200_000), new Uint8Array(70_000).fill(7)],
  [], // A case the server ends at once.
];

interface Log {
  requests: string[];
  echoes: Map<number, (string | Uint8Array)[]>;
  extensions: Map<number, string[]>;
  failures: string[];
}

function fakeFuzzingServer(log: Log) {
  return serve({
    hostname: "127.0.0.1",
    port: 0,
    extensions: [perMessageDeflate({ threshold: 0 })],
  }, async (conn) => {
    const url = new URL(conn.info.url ?? "/", "ws://127.0.0.1");
    log.requests.push(`${url.pathname}${url.search}`);
    if (url.pathname === "/getCaseCount") {
      conn.send(String(_CASES.length));
      conn.close(1000);
      return;
    }
    if (url.pathname === "/updateReports") {
      conn.close(1000);
      return;
    }
    const n = Number(url.searchParams.get("case"));
    const messages = _CASES[n - 1];
    if (url.pathname !== "/runCase" || messages === undefined) {
      log.failures.push(`unexpected request ${url}`);
      conn.close(1008);
      return;
    }
    log.extensions.set(n, conn.info.extensions);
    const echoes: (string | Uint8Array)[] = [];
    log.echoes.set(n, echoes);
    for (const message of messages) conn.send(message);
    if (messages.length > 0) {
      for await (const message of conn) {
        echoes.push(message.data);
        if (echoes.length === messages.length) break;
      }
    }
    conn.close(1000);
  });
}

async function runClient(url: string, ...flags: string[]): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/autobahn_client.ts", "--url", url, ...flags],
    cwd: new URL("../..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const output = await withTimeout(child.output(), 20_000, "autobahn client to finish");
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, `${stdout}\n${new TextDecoder().decode(output.stderr)}`);
    return stdout;
  } catch (error) {
    try {
      Deno.kill(child.pid, "SIGKILL");
    } catch {
      // Already exited.
    }
    await child.status;
    throw error;
  }
}

for (const deflate of [false, true]) {
  Deno.test(`examples/autobahn_client.ts${deflate ? " --deflate" : ""} runs every case of a fake fuzzingserver and updates the reports`, async () => {
    const log: Log = { requests: [], echoes: new Map(), extensions: new Map(), failures: [] };
    await using server = fakeFuzzingServer(log);
    const stdout = await runClient(
      server.url,
      "--agent",
      "aero test",
      ...(deflate ? ["--deflate"] : []),
    );
    assert.deepEqual(log.failures, []);
    assert.deepEqual(log.requests, [
      "/getCaseCount",
      ..._CASES.map((_, i) => `/runCase?case=${i + 1}&agent=aero%20test`),
      "/updateReports?agent=aero%20test",
    ]);
    _CASES.forEach((messages, i) => {
      assert.deepEqual(log.echoes.get(i + 1), messages, `case ${i + 1} echoes`);
      assert.deepEqual(log.extensions.get(i + 1), deflate ? ["permessage-deflate"] : []);
    });
    assert.match(stdout, /^4 cases; running 1 to 4 as aero test$/m);
    assert.match(stdout, /^case 4\/4: 1000$/m);
    assert.match(stdout, /^reports updated$/m);
  });
}

Deno.test("examples/autobahn_client.ts --cases runs only the cases asked for", async () => {
  const log: Log = { requests: [], echoes: new Map(), extensions: new Map(), failures: [] };
  await using server = fakeFuzzingServer(log);
  await runClient(server.url, "--cases", "2-3");
  assert.deepEqual(log.requests, [
    "/getCaseCount",
    "/runCase?case=2&agent=aerosocket",
    "/runCase?case=3&agent=aerosocket",
    "/updateReports?agent=aerosocket",
  ]);
});
