import assert from "node:assert/strict";
import { Connection } from "@aero/socket";
import { createRouter, RpcError } from "@aero/socket/messaging";
import { createTransportPair } from "@aero/socket/testing";
import { connect } from "./_aero_client.ts";

Deno.test("Router.attach gives plain connections the bare data of publications, encoded once", async () => {
  await using router = createRouter();
  const [a, b] = createTransportPair();
  let session = "";
  const done = router.attach(new Connection(a, { role: "server" }), {
    topics: ["feed"],
    onMessage: async (message, id) => {
      session = id;
      await router.publish("feed", message.data);
    },
  });
  const plain = new Connection(b, { role: "client" });
  const messages = plain[Symbol.asyncIterator]();
  const aero = await connect(router);
  await aero.client.call({ type: "subscribe", topic: "feed" });
  await aero.client.call({ type: "join", topic: "feed" }); // No presence event to plain clients.
  plain.send("text");
  assert.deepEqual((await messages.next()).value, { type: "text", data: "text" });
  await router.publish("feed", new Uint8Array([1, 2]));
  assert.deepEqual((await messages.next()).value.data, new Uint8Array([1, 2]));
  await router.publish("feed", { n: 1 });
  assert.equal((await messages.next()).value.data, '{"n":1}');
  const envelope = await aero.client.until((e) => e.type === "message");
  assert.deepEqual([envelope.offset, envelope.data], [1, "text"]);
  await assert.rejects(router.request(session, "x"), RpcError);
  plain.close();
  await done;
  assert.equal(router.size, 1);
  await aero.client.close();
});

Deno.test("Router.attach refuses an invalid topic", async () => {
  await using router = createRouter();
  const [a] = createTransportPair();
  await assert.rejects(
    router.attach(new Connection(a, { role: "server" }), { topics: ["a..b"] }),
    TypeError,
  );
});
