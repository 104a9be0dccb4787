// Our server, both engines, against the `ws` package's client (an implementation we did not
// write): messages of every kind and size, fragmentation both ways, close codes both ways, pings
// both ways.
import assert from "node:assert/strict";
import { ENGINES, startOurServer } from "./_our_server.ts";
import { openWsClient } from "./_ws_client.ts";
import { assertSameBytes, LARGE, largeText, pattern, UNICODE_TEXT, within } from "./_util.ts";

const encoder = new TextEncoder();

for (const engine of ENGINES) {
  Deno.test(`ws exchanges text, UTF-8, binary and empty messages with the ${engine} engine`, async () => {
    await using server = startOurServer(engine);
    await using client = await openWsClient(`${server.wsBase}/echo`);
    client.ws.send(UNICODE_TEXT);
    client.ws.send("");
    client.ws.send(new Uint8Array([0, 1, 127, 128, 255]));
    client.ws.send(new Uint8Array(0));
    const expected = [
      { binary: false, data: encoder.encode(UNICODE_TEXT) },
      { binary: false, data: new Uint8Array(0) },
      { binary: true, data: new Uint8Array([0, 1, 127, 128, 255]) },
      { binary: true, data: new Uint8Array(0) },
    ];
    for (const message of expected) {
      assert.deepEqual(await client.messages.next("an echo"), message);
    }
    assert.deepEqual(await server.received.next(), { type: "text", data: UNICODE_TEXT });
    assert.deepEqual(await server.received.next(), { type: "text", data: "" });
    assert.deepEqual(await server.received.next(), {
      type: "binary",
      data: new Uint8Array([0, 1, 127, 128, 255]),
    });
    assert.deepEqual(await server.received.next(), { type: "binary", data: new Uint8Array(0) });
  });

  Deno.test(`ws sends and receives 16 MiB text and binary messages with the ${engine} engine`, async () => {
    await using server = startOurServer(engine);
    await using client = await openWsClient(`${server.wsBase}/echo`);
    const bytes = pattern(LARGE);
    const text = largeText(LARGE); // 16 MiB of UTF-8, with 1- to 4-byte characters.
    const textBytes = encoder.encode(text);
    client.ws.send(bytes);
    client.ws.send(text);
    const gotBytes = await server.received.next("16 MiB binary at the server");
    assert.equal(gotBytes.type, "binary");
    assertSameBytes(gotBytes.data, bytes, "server side, binary");
    const gotText = await server.received.next("16 MiB text at the server");
    assert.equal(gotText.type, "text");
    assert.ok(gotText.data === text, "server side, text differs");
    const echoBytes = await client.messages.next("16 MiB binary echo");
    assert.equal(echoBytes.binary, true);
    assertSameBytes(echoBytes.data, bytes, "client side, binary");
    const echoText = await client.messages.next("16 MiB text echo");
    assert.equal(echoText.binary, false);
    assertSameBytes(echoText.data, textBytes, "client side, text");
  });

  Deno.test(`ws fragments messages (with a ping between fragments) to the ${engine} engine`, async () => {
    await using server = startOurServer(engine);
    await using client = await openWsClient(`${server.wsBase}/echo`);
    // Cut inside multi-byte characters: each fragment alone is invalid UTF-8.
    const text = encoder.encode(UNICODE_TEXT);
    const cuts = [0, 2, 9, 17, text.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      client.ws.send(text.subarray(cuts[i], cuts[i + 1]), {
        binary: false,
        fin: i + 2 === cuts.length,
      });
      if (i === 1) client.ws.ping("between fragments");
    }
    const bytes = pattern(70_000);
    client.ws.send(bytes.subarray(0, 1), { binary: true, fin: false });
    client.ws.send(bytes.subarray(1, 65_537), { binary: true, fin: false });
    client.ws.send(bytes.subarray(65_537, 65_537), { binary: true, fin: false });
    client.ws.send(bytes.subarray(65_537), { binary: true, fin: true });
    assert.deepEqual(await server.received.next("the fragmented text"), {
      type: "text",
      data: UNICODE_TEXT,
    });
    const got = await server.received.next("the fragmented binary");
    assert.equal(got.type, "binary");
    assertSameBytes(got.data, bytes, "server side");
    assert.deepEqual(await client.pongs.next("the pong"), encoder.encode("between fragments"));
    assert.deepEqual(await client.messages.next("text echo"), { binary: false, data: text });
    assertSameBytes((await client.messages.next("binary echo")).data, bytes, "echo");
  });

  Deno.test(`ws reassembles the ${engine} engine's fragmented messages`, async () => {
    // fragmentSize 3 cuts multi-byte characters across frames; the native engine ignores it.
    await using server = startOurServer(engine, { fragmentSize: 3 });
    await using client = await openWsClient(`${server.wsBase}/echo`);
    const bytes = pattern(10_001);
    client.ws.send(UNICODE_TEXT);
    client.ws.send(bytes);
    assert.deepEqual(await client.messages.next("text echo"), {
      binary: false,
      data: encoder.encode(UNICODE_TEXT),
    });
    assert.deepEqual(await client.messages.next("binary echo"), { binary: true, data: bytes });
  });

  for (const code of [1000, 1001, 3000, 4999]) {
    Deno.test(`ws closes with ${code} and a reason; the ${engine} engine sees them`, async () => {
      await using server = startOurServer(engine);
      const client = await openWsClient(`${server.wsBase}/echo`);
      const reason = `client bye ✓ ${code}`;
      client.ws.close(code, reason);
      assert.deepEqual(await server.closes.next("the server's close"), {
        code,
        reason,
        wasClean: true,
      });
      // The streams engine echoes the code alone; Deno's server echoes the reason too.
      assert.deepEqual(await within(client.closed, "the client's close event"), {
        code,
        reason: engine === "streams" ? "" : reason,
        wasClean: true,
      });
    });

    Deno.test(`The ${engine} engine closes with ${code} and a reason; ws sees them`, async () => {
      await using server = startOurServer(engine);
      const reason = `server bye ✓ ${code}`;
      const client = await openWsClient(
        `${server.wsBase}/close?code=${code}&reason=${encodeURIComponent(reason)}`,
      );
      assert.deepEqual(await within(client.closed, "the client's close event"), {
        code,
        reason,
        wasClean: true,
      });
      // ws echoes code and reason.
      assert.deepEqual(await server.closes.next("the server's close"), {
        code,
        reason,
        wasClean: true,
      });
    });
  }

  Deno.test(`The ${engine} engine answers ws pings with the same data`, async () => {
    await using server = startOurServer(engine);
    await using client = await openWsClient(`${server.wsBase}/echo`);
    client.ws.ping("are you there? ✓");
    client.ws.ping(new Uint8Array(125).fill(7));
    client.ws.ping();
    assert.deepEqual(await client.pongs.next("pong 1"), encoder.encode("are you there? ✓"));
    assert.deepEqual(await client.pongs.next("pong 2"), new Uint8Array(125).fill(7));
    assert.deepEqual(await client.pongs.next("pong 3"), new Uint8Array(0));
  });

  Deno.test(`ws receives the ${engine} engine's ping when the engine can send one`, async () => {
    await using server = startOurServer(engine);
    await using client = await openWsClient(`${server.wsBase}/ping?data=server%20ping`);
    // Deno's native WebSocket has no ping API: the native engine's ping() returns false.
    assert.equal(await server.pings.next("ping() result"), engine === "streams");
    if (engine === "streams") {
      assert.deepEqual(await client.pings.next("the ping"), encoder.encode("server ping"));
    }
    client.ws.send("after");
    assert.deepEqual(await client.messages.next("echo"), {
      binary: false,
      data: encoder.encode("after"),
    });
    assert.equal(client.pings.pending, 0);
  });
}
