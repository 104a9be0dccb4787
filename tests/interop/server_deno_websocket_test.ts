// Our server, both engines, against Deno's built-in WebSocket client (an implementation we did
// not write): messages of every kind and size, fragmentation, close codes both ways, pings.
import assert from "node:assert/strict";
import { openDenoClient } from "./_deno_websocket.ts";
import { ENGINES, startOurServer } from "./_our_server.ts";
import { assertSameBytes, LARGE, pattern, UNICODE_TEXT, within } from "./_util.ts";

for (const engine of ENGINES) {
  Deno.test(`Deno's WebSocket exchanges text, UTF-8, binary and empty messages with the ${engine} engine`, async () => {
    await using server = startOurServer(engine);
    await using client = await openDenoClient(`${server.wsBase}/echo`);
    const sent = [UNICODE_TEXT, "", new Uint8Array([0, 1, 127, 128, 255]), new Uint8Array(0)];
    for (const data of sent) client.ws.send(data);
    for (const data of sent) assert.deepEqual(await client.messages.next("an echo"), data);
    assert.deepEqual(
      [
        await server.received.next(),
        await server.received.next(),
        await server.received.next(),
        await server.received.next(),
      ],
      [
        { type: "text", data: UNICODE_TEXT },
        { type: "text", data: "" },
        { type: "binary", data: new Uint8Array([0, 1, 127, 128, 255]) },
        { type: "binary", data: new Uint8Array(0) },
      ],
    );
  });

  Deno.test(`Deno's WebSocket sends and receives a 16 MiB message with the ${engine} engine`, async () => {
    await using server = startOurServer(engine);
    await using client = await openDenoClient(`${server.wsBase}/echo`);
    const big = pattern(LARGE);
    client.ws.send(big);
    const got = await server.received.next("the 16 MiB message at the server");
    assert.equal(got.type, "binary");
    assertSameBytes(got.data, big, "server side");
    assertSameBytes(await client.messages.next("the 16 MiB echo"), big, "client side");
  });

  Deno.test(`Deno's WebSocket reassembles the ${engine} engine's fragmented messages`, async () => {
    // fragmentSize 5 cuts multi-byte characters across frames; the native engine ignores it.
    await using server = startOurServer(engine, { fragmentSize: 5 });
    await using client = await openDenoClient(`${server.wsBase}/echo`);
    const bytes = pattern(100_003);
    client.ws.send(UNICODE_TEXT);
    client.ws.send(bytes);
    assert.equal(await client.messages.next("fragmented text"), UNICODE_TEXT);
    assertSameBytes(await client.messages.next("fragmented binary"), bytes, "echo");
  });

  // The WHATWG API refuses every other code (1001 throws InvalidAccessError).
  for (const code of [1000, 3000, 4999]) {
    Deno.test(`Deno's WebSocket closes with ${code} and a reason; the ${engine} engine sees them`, async () => {
      await using server = startOurServer(engine);
      const client = await openDenoClient(`${server.wsBase}/echo`);
      const reason = `client bye ✓ ${code}`;
      client.ws.close(code, reason);
      assert.deepEqual(await server.closes.next("the server's close"), {
        code,
        reason,
        wasClean: true,
      });
      // The streams engine echoes the code alone (RFC 6455 §5.5.1); Deno's own server echoes
      // the reason too.
      assert.deepEqual(await within(client.closed, "the client's close event"), {
        code,
        reason: engine === "streams" ? "" : reason,
        wasClean: true,
      });
    });
  }

  for (const code of [1000, 1001, 3000, 4999]) {
    Deno.test(`The ${engine} engine closes with ${code} and a reason; Deno's WebSocket sees them`, async () => {
      await using server = startOurServer(engine);
      const reason = `server bye ✓ ${code}`;
      const client = await openDenoClient(
        `${server.wsBase}/close?code=${code}&reason=${encodeURIComponent(reason)}`,
      );
      assert.deepEqual(await within(client.closed, "the client's close event"), {
        code,
        reason,
        wasClean: true,
      });
      // Deno's WebSocket echoes code and reason.
      assert.deepEqual(await server.closes.next("the server's close"), {
        code,
        reason,
        wasClean: true,
      });
    });
  }

  Deno.test(`Deno's WebSocket answers the ${engine} engine's ping and stays usable`, async () => {
    await using server = startOurServer(engine);
    await using client = await openDenoClient(`${server.wsBase}/ping?data=heartbeat`);
    // Deno's native WebSocket cannot send application pings: only the streams engine can.
    assert.equal(await server.pings.next("ping() result"), engine === "streams");
    client.ws.send("after the ping");
    assert.equal(await client.messages.next("the echo after the ping"), "after the ping");
  });
}
