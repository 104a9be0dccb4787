/**
 * A client for Autobahn|Testsuite's fuzzingserver: it asks for the number of cases, runs each
 * one by echoing every message the server sends until the server closes, then asks the server to
 * write its reports.
 *
 *     deno run -A examples/autobahn_client.ts [--url ws://127.0.0.1:9001] [--agent aerosocket]
 *       [--deflate] [--cases 1-20]
 *
 * With `--deflate` every case offers permessage-deflate (sections 12 and 13 need it). `--cases`
 * runs a range of case numbers (1-based, inclusive) instead of all of them. Progress goes to
 * stdout, one line per case; the exit code is 0 once the reports were updated.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { connect } from "../src/client/mod.ts";
import { perMessageDeflate } from "../src/extensions/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string", default: "ws://127.0.0.1:9001" },
    agent: { type: "string", default: "aerosocket" },
    deflate: { type: "boolean", default: false },
    cases: { type: "string" },
  },
});

const base = values.url.replace(/\/+$/, "");
const agent = encodeURIComponent(values.agent);

/** The first text message of `path` (getCaseCount answers with one), after the server closes. */
async function fetchText(path: string): Promise<string> {
  const conn = await connect(`${base}${path}`);
  let text = "";
  for await (const message of conn) {
    if (typeof message.data === "string" && text === "") text = message.data;
  }
  return text;
}

/** Runs case `n`: echoes every message, text as text and binary as binary, until the close. */
async function runCase(n: number): Promise<string> {
  try {
    const conn = await connect(`${base}/runCase?case=${n}&agent=${agent}`, {
      // A fresh factory per case: the extension keeps per-connection state only, but a case
      // that fails mid-message must not leave anything behind for the next.
      extensions: values.deflate ? [perMessageDeflate()] : [],
    });
    for await (const message of conn) conn.send(message.data);
    const closed = await conn.closed;
    return `${closed.code}${closed.wasClean ? "" : " (not clean)"}`;
  } catch (error) {
    // Handshakes the case refuses on purpose, and connections failed by a protocol error, are
    // part of the test: the server judges them. Report and go on.
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function parseRange(spec: string | undefined, count: number): [number, number] {
  if (spec === undefined) return [1, count];
  const match = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (match === null) {
    console.error(`Cannot run cases: --cases must be N or N-M, not ${spec}`);
    Deno.exit(2);
  }
  const first = Number(match[1]);
  return [Math.max(1, first), Math.min(count, Number(match[2] ?? first))];
}

const count = Number(await fetchText(`/getCaseCount`));
if (!Number.isInteger(count) || count < 0) {
  console.error(`Cannot run cases: getCaseCount answered ${count}`);
  Deno.exit(1);
}
const [first, last] = parseRange(values.cases, count);
console.log(`${count} cases; running ${first} to ${last} as ${values.agent}`);
for (let n = first; n <= last; n++) {
  console.log(`case ${n}/${count}: ${await runCase(n)}`);
}
await fetchText(`/updateReports?agent=${agent}`);
console.log("reports updated");
