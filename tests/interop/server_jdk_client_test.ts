// Our server against the JDK's WebSocket client (`java.net.http.WebSocket`, an implementation in
// another language that we did not write): text with 2- to 4-byte characters, binary, empty
// messages, fragmentation both ways, 16 MiB messages, pings both ways, close codes both ways. The
// client (`jdk/JdkWebSocketClient.java`) prints what it received; every line is compared here, and
// the server's side is checked too. The native engine cannot accept this client: its upgrade
// request carries `Content-Length: 0`, which Deno.serve refuses with 400 before any handler sees
// it. Over TCP and over TLS (our native TLS listener, the JDK's TLS stack). Without `java` the tests
// fail under CI=true and are skipped with a message elsewhere.
import assert from "node:assert/strict";
import { IN_CI } from "../_chromium.ts";
import { type Engine, type OurServer, startOurServer } from "./_our_server.ts";
import { hex, LARGE, pattern, printedPayload, runPeer, TEST_TLS, UNICODE_TEXT } from "./_util.ts";

const CLIENT = new URL("./jdk/JdkWebSocketClient.java", import.meta.url).pathname;
const encoder = new TextEncoder();

const HAS_JAVA = await (async () => {
  try {
    return (await new Deno.Command("java", { args: ["-version"], stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
})();
const SKIP_JAVA = !HAS_JAVA && !IN_CI;
if (SKIP_JAVA) {
  console.warn("JDK client tests skipped: `java` not found (with CI=true they fail instead).");
}

const text = async (value: string) => `text ${await printedPayload(encoder.encode(value))}`;
const closeLine = (code: number, reason: string) => `close ${code} ${hex(encoder.encode(reason))}`;

// Runs the JDK client against `server` (over TLS when `secure`); resolves with its lines.
async function runJdkClient(server: OurServer, secure: boolean): Promise<string[]> {
  const base = secure ? server.wsBase.replace("ws:", "wss:") : server.wsBase;
  return await runPeer(
    "java",
    {
      args: [
        CLIENT,
        base,
        hex(encoder.encode(UNICODE_TEXT)),
        ...(secure ? [TEST_TLS.certFile] : []),
      ],
    },
    "the JDK client",
    120_000,
  );
}

// Registers `fn` over TCP and over TLS.
function jdkTest(
  engine: Engine,
  name: string,
  fn: (secure: boolean) => Promise<void>,
): void {
  for (const secure of [false, true]) {
    Deno.test({
      name: `the JDK's WebSocket client ${name} with the ${engine} engine${
        secure ? " over TLS" : ""
      }`,
      ignore: SKIP_JAVA,
      async fn() {
        assert.ok(HAS_JAVA, "`java` is missing: this test needs a JDK (17 or later) on the PATH");
        await fn(secure);
      },
    });
  }
}

jdkTest("streams", "exchanges messages, pings and closes", async (secure) => {
  await using server = startOurServer(
    "streams",
    secure ? { tls: { cert: TEST_TLS.cert, key: TEST_TLS.key } } : {},
  );
  const lines = await runJdkClient(server, secure);
  const largeBytes = pattern(LARGE);
  const largeText = "a\u00e9\u2713\u{1F680} ".repeat(Math.ceil(LARGE / 11));
  assert.deepEqual(lines, [
    `echo ${await text(UNICODE_TEXT)}`,
    "echo text ",
    "echo binary 00017f80ff",
    "echo binary ",
    `echo ${closeLine(1000, "")}`,
    `fragments ${await text(UNICODE_TEXT)}`,
    `fragments binary ${await printedPayload(pattern(70_000))}`,
    `fragments ${closeLine(1000, "")}`,
    `large binary ${await printedPayload(largeBytes)}`,
    `large ${await text(largeText)}`,
    `large ${closeLine(1000, "")}`,
    `ping pong ${hex(encoder.encode("ping \u2713"))}`,
    `ping ${closeLine(1000, "")}`,
    // The answer to a close carries the peer's code (RFC 6455 §5.5.1), not its reason.
    `client-close ${closeLine(4001, "")}`,
    `server-close ${closeLine(4002, "server bye")}`,
    `server-ping ping ${hex(encoder.encode("hi"))}`,
    `server-ping ${await text("after")}`,
    `server-ping ${closeLine(1000, "")}`,
  ]);

  // The server's side: every message arrived whole and unchanged, fragments joined.
  const received = [];
  for (let i = 0; i < 9; i++) received.push(await server.received.next("a message"));
  assert.deepEqual(received.slice(0, 5), [
    { type: "text", data: UNICODE_TEXT },
    { type: "text", data: "" },
    { type: "binary", data: new Uint8Array([0, 1, 127, 128, 255]) },
    { type: "binary", data: new Uint8Array(0) },
    { type: "text", data: UNICODE_TEXT },
  ]);
  assert.equal(received[5]!.type, "binary");
  assert.equal(
    await printedPayload(received[5]!.data as Uint8Array),
    await printedPayload(pattern(70_000)),
  );
  assert.equal(received[6]!.type, "binary");
  assert.equal(
    await printedPayload(received[6]!.data as Uint8Array),
    await printedPayload(largeBytes),
  );
  assert.ok(received[7]!.type === "text" && received[7]!.data === largeText, "16 MiB text");
  assert.deepEqual(received[8], { type: "text", data: "after" });
  assert.equal(server.received.pending, 0);
  assert.equal(await server.pings.next("the server's ping"), true);

  // How each connection ended, as the server saw it: the code and reason of the client's close
  // frame (the JDK answers a close with the code alone).
  const closes = [];
  for (let i = 0; i < 7; i++) closes.push(await server.closes.next("a connection's end"));
  assert.deepEqual(closes.map((info) => `${info.code} ${info.reason} ${info.wasClean}`).sort(), [
    "1000  true",
    "1000  true",
    "1000  true",
    "1000  true",
    "1000  true",
    "4001 bye \u2713 true",
    "4002  true",
  ]);
});

jdkTest("native", "is refused by Deno.serve (Content-Length: 0 on the upgrade)", async (secure) => {
  await using server = startOurServer(
    "native",
    secure ? { tls: { cert: TEST_TLS.cert, key: TEST_TLS.key } } : {},
  );
  assert.deepEqual(await runJdkClient(server, secure), ["echo refused 400"]);
  assert.equal(server.connections.pending, 0);
});
