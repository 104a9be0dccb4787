import assert from "node:assert/strict";
import { _Inbox } from "../../src/connection/_inbox.ts";
import type { Message } from "../../src/protocol/message.ts";

const text = (data: string): Message => ({ type: "text", data });

Deno.test("_Inbox hands a message to a waiting reader and ends it with the inbox", async () => {
  const inbox = new _Inbox();
  const iterator = inbox.iterator();
  const first = iterator.next();
  inbox.push(text("a"));
  assert.deepEqual(await first, { done: false, value: text("a") });
  assert.equal(inbox.bytes, 0, "a message handed over is not waiting");
  const last = iterator.next();
  inbox.end();
  assert.deepEqual(await last, { done: true, value: undefined });
});

Deno.test("_Inbox counts unread bytes until each message is taken, then ends after the queue", async () => {
  const inbox = new _Inbox();
  inbox.push(text("abc"));
  inbox.push({ type: "binary", data: new Uint8Array(5) });
  inbox.end();
  assert.equal(inbox.bytes, 8);
  const iterator = inbox.iterator();
  assert.deepEqual(await iterator.next(), { done: false, value: text("abc") });
  assert.equal(inbox.bytes, 5);
  assert.equal((await iterator.next()).value?.type, "binary");
  assert.equal(inbox.bytes, 0);
  assert.deepEqual(await iterator.next(), { done: true, value: undefined });
});

Deno.test("_Inbox readable made after messages arrived delivers them, then later ones", async () => {
  const inbox = new _Inbox();
  inbox.push(text("early 1"));
  inbox.push(text("early 2"));
  const reader = inbox.readable.getReader();
  assert.deepEqual(await reader.read(), { done: false, value: text("early 1") });
  assert.deepEqual(await reader.read(), { done: false, value: text("early 2") });
  const late = reader.read();
  inbox.push(text("late"));
  assert.deepEqual(await late, { done: false, value: text("late") });
  inbox.end();
  assert.deepEqual(await reader.read(), { done: true, value: undefined });
  assert.equal(inbox.readable, inbox.readable, "one readable per inbox");
});

Deno.test("_Inbox keeps the order of a queue that is read while it grows", () => {
  const inbox = new _Inbox();
  const taken: string[] = [];
  let pushed = 0;
  for (let round = 0; round < 5_000; round++) {
    inbox.push(text(String(pushed++)));
    inbox.push(text(String(pushed++)));
    taken.push((inbox.shift() as { data: string }).data);
  }
  for (let message = inbox.shift(); message !== undefined; message = inbox.shift()) {
    taken.push(message.data as string);
  }
  assert.deepEqual(taken, Array.from({ length: pushed }, (_, i) => String(i)));
  assert.equal(inbox.bytes, 0);
});
