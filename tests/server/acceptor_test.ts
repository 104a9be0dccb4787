import assert from "node:assert/strict";
import {
  _ACCEPT_PAUSE_MAX_MS,
  _ACCEPT_PAUSE_MIN_MS,
  _Acceptor,
} from "../../src/server/_acceptor.ts";

// A connection of the scripted listener, known by its name.
interface NamedConn {
  name: string;
  close(): void;
}

// A listener whose accepts play a script, one entry per accept: a string is accepted as a
// connection of that name, an error is thrown. After the script, accepts wait until `close()` fails them as a closed listener's do.
class ScriptedListener {
  #script: (string | Error)[];
  #waiting: ((error: Error) => void)[] = [];
  accepts = 0;
  // What happened, in order: accepted connections and pauses ("pause 5").
  log: string[] = [];

  constructor(script: (string | Error)[]) {
    this.#script = script;
  }

  accept(): Promise<NamedConn> {
    this.accepts++;
    const next = this.#script.shift();
    if (next === undefined) return new Promise((_, reject) => this.#waiting.push(reject));
    return typeof next === "string"
      ? Promise.resolve({ name: next, close: () => {} })
      : Promise.reject(next);
  }

  get exhausted(): boolean {
    return this.#script.length === 0 && this.#waiting.length > 0;
  }

  close(): void {
    for (const reject of this.#waiting.splice(0)) {
      reject(new Deno.errors.BadResource("Listener has been closed"));
    }
  }
}

const reset = () => new Deno.errors.NotConnected("Transport endpoint is not connected");
const emfile = () => new Error("Too many open files (os error 24)");

// Runs an acceptor over `script` until every entry is played; pauses are logged, not waited.
async function play(script: (string | Error)[]): Promise<string[]> {
  const listener = new ScriptedListener(script);
  const acceptor = new _Acceptor(listener, (conn) => listener.log.push(conn.name), {
    wait: (ms) => {
      listener.log.push(`pause ${ms}`);
      return Promise.resolve();
    },
  });
  while (!listener.exhausted) await new Promise((resolve) => setTimeout(resolve, 0));
  acceptor.stop();
  listener.close();
  await acceptor.done;
  return listener.log;
}

Deno.test("acceptor goes on at once after accepts that fail because of one connection", async () => {
  const log = await play([
    "a",
    reset(),
    new Deno.errors.ConnectionReset("reset"),
    new Deno.errors.ConnectionAborted("aborted"),
    "b",
    reset(),
    "c",
  ]);
  assert.deepEqual(log, ["a", "b", "c"]);
});

Deno.test("acceptor retries other failures after doubling pauses, up to a cap, and starts over after a success", async () => {
  const failures = (n: number) => Array.from({ length: n }, emfile);
  const log = await play([...failures(10), "a", emfile(), reset(), "b"]);
  assert.equal(_ACCEPT_PAUSE_MIN_MS, 5);
  assert.equal(_ACCEPT_PAUSE_MAX_MS, 1_000);
  assert.deepEqual(log, [
    "pause 5",
    "pause 10",
    "pause 20",
    "pause 40",
    "pause 80",
    "pause 160",
    "pause 320",
    "pause 640",
    "pause 1000",
    "pause 1000",
    "a",
    "pause 5",
    "b",
  ]);
});

Deno.test("acceptor's stop ends a pause in progress at once", async () => {
  const listener = new ScriptedListener(Array.from({ length: 20 }, emfile));
  const acceptor = new _Acceptor(listener, () => assert.fail("nothing to accept"));
  // 5 + 10 + 20 + 40 + 80 + 160 = 315 ms of pauses before the seventh accept.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(listener.accepts <= 6, `${listener.accepts} accepts in 200 ms: not paused`);
  const stopped = performance.now();
  acceptor.stop();
  await acceptor.done;
  assert.ok(performance.now() - stopped < 100, "stop waited for the pause to end");
});

Deno.test("acceptor ends when the listener is closed and hands on nothing after stop", async () => {
  const listener = new ScriptedListener([]);
  const acceptor = new _Acceptor(listener, () => assert.fail("nothing to accept"));
  listener.close();
  await acceptor.done;

  let closed = 0;
  const late = { accept: () => Promise.resolve({ close: () => closed++ }) };
  const stopping = new _Acceptor(late, () => assert.fail("handed on after stop"));
  stopping.stop();
  await stopping.done;
  assert.equal(closed, 1);
});

// Lets pending promise reactions and due timers run.
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10));
}

Deno.test("acceptor does not accept while waiting for room, and accepts once there is", async () => {
  const listener = new ScriptedListener(["a", "b", "c"]);
  // The gate: room for one connection, then a wait the test ends, then room again.
  let full: PromiseWithResolvers<void> | undefined;
  let asks = 0;
  const room = () => {
    asks++;
    if (asks !== 2) return undefined;
    full = Promise.withResolvers<void>();
    listener.log.push("wait");
    return full.promise;
  };
  const acceptor = new _Acceptor(listener, (conn) => listener.log.push(conn.name), { room });
  await settle();
  assert.deepEqual(listener.log, ["a", "wait"]);
  assert.equal(listener.accepts, 1, "accepted while waiting for room");
  full!.resolve();
  while (!listener.exhausted) await settle();
  assert.deepEqual(listener.log, ["a", "wait", "b", "c"]);
  // Asked before every accept: a, the wait, b, c, and the accept left waiting on the listener.
  assert.equal(asks, 5);
  acceptor.stop();
  listener.close();
  await acceptor.done;
});

Deno.test("acceptor asks for room again after a wait, as long as there is none", async () => {
  const listener = new ScriptedListener(["a"]);
  const waits: PromiseWithResolvers<void>[] = [];
  const room = () => {
    if (waits.length >= 3) return undefined;
    waits.push(Promise.withResolvers<void>());
    return waits.at(-1)!.promise;
  };
  const acceptor = new _Acceptor(listener, (conn) => listener.log.push(conn.name), { room });
  for (let i = 0; i < 3; i++) {
    await settle();
    assert.equal(listener.accepts, 0);
    assert.equal(waits.length, i + 1);
    // A gate that fails is asked again too: it does not end the loop.
    if (i === 1) waits[i]!.reject(new Error("gate failed"));
    else waits[i]!.resolve();
  }
  while (!listener.exhausted) await settle();
  assert.deepEqual(listener.log, ["a"]);
  acceptor.stop();
  listener.close();
  await acceptor.done;
});

Deno.test("acceptor's stop ends a wait for room at once, without accepting", async () => {
  const listener = new ScriptedListener(["a"]);
  const never = new Promise<void>(() => {});
  const acceptor = new _Acceptor(listener, () => assert.fail("accepted while waiting for room"), {
    room: () => never,
  });
  await settle();
  const stopped = performance.now();
  acceptor.stop();
  await acceptor.done;
  assert.ok(performance.now() - stopped < 100, "stop waited for room");
  assert.equal(listener.accepts, 0);
});
