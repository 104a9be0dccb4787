// Small shared pieces of the interop tests: deadlines, a mailbox of events, test payloads.
import assert from "node:assert/strict";

/** Every wait in these tests is bounded by this many milliseconds unless a test says otherwise. */
export const WAIT_MS = 10_000;

/** The size of the "large message" cases: 16 MiB, what browsers and conformance suites use. */
export const LARGE = 16 * 1024 * 1024;

/** Rejects with a clear message when `promise` does not settle within `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A queue of values pushed by callbacks and awaited by a test, in order. */
export class Mailbox<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#items.push(item);
    else waiter(item);
  }

  /** The next value, waiting at most `ms`. */
  next(what = "the next event", ms = WAIT_MS): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    return within(new Promise<T>((resolve) => this.#waiters.push(resolve)), what, ms);
  }

  /** Values received and not yet taken. */
  get pending(): number {
    return this.#items.length;
  }
}

/** `size` bytes of a non-repeating-at-powers-of-two pattern (i mod 251). */
export function pattern(size: number, offset = 0): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i + offset) % 251;
  return bytes;
}

/** Asserts byte-for-byte equality without printing megabytes on failure. */
export function assertSameBytes(actual: unknown, expected: Uint8Array, what: string): void {
  assert.ok(actual instanceof Uint8Array, `${what}: expected bytes, got ${typeof actual}`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** Multi-byte UTF-8: 2-, 3- and 4-byte sequences, and a surrogate pair. */
export const UNICODE_TEXT = "héllo ✓ 日本語 — 🚀 𝄞 ünïcödé";

/**
 * A string of at least `size` UTF-8 bytes of mixed 1- to 4-byte characters (compressible, not
 * trivially).
 */
export function largeText(size: number): string {
  const words = ["alpha", "βeta", "gamma", "δelta", "✓", "🚀", "eins", "zwei"].map((word) => ({
    word: word + " ",
    bytes: new TextEncoder().encode(word + " ").length,
  }));
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const { word, bytes } = words[(i * 7 + (i >> 3)) % words.length]!;
    parts.push(word);
    length += bytes;
  }
  return parts.join("");
}

/** Bytes as lowercase hex. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A payload as the clients in other languages print it: hex up to 1,024 bytes, otherwise its
 * SHA-256 and length.
 */
export async function printedPayload(bytes: Uint8Array): Promise<string> {
  if (bytes.length <= 1024) return hex(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${hex(digest)} length:${bytes.length}`;
}

/**
 * The tests' self-signed certificate for 127.0.0.1 and its key (see
 * tests/client/connect_tls_test.ts): `certFile` for clients told which certificate to trust,
 * `keyFile` too for servers of other runtimes, `cert` and `key` for `serve({ tls })`.
 */
export const TEST_TLS = {
  certFile: new URL("../fixtures/cert.pem", import.meta.url).pathname,
  keyFile: new URL("../fixtures/key.pem", import.meta.url).pathname,
  cert: Deno.readTextFileSync(new URL("../fixtures/cert.pem", import.meta.url)),
  key: Deno.readTextFileSync(new URL("../fixtures/key.pem", import.meta.url)),
};

/**
 * Runs a peer of another runtime to its end (bounded by `ms`) and returns the lines it printed,
 * failing with its output when it exits unsuccessfully or its last line is unterminated.
 */
export async function runPeer(
  cmd: string,
  options: Pick<Deno.CommandOptions, "args" | "env">,
  what: string,
  ms: number,
): Promise<string[]> {
  const command = new Deno.Command(cmd, { ...options, stdout: "piped", stderr: "piped" });
  const output = await within(command.output(), `${what} to finish`, ms);
  const stdout = new TextDecoder().decode(output.stdout);
  assert.ok(
    output.success,
    `${what} failed:\n${stdout}\n${new TextDecoder().decode(output.stderr)}`,
  );
  const lines = stdout.split("\n");
  assert.equal(lines.pop(), "", `${what}'s output ends with a line break`);
  return lines;
}

/**
 * Starts a server of another runtime that prints `count` URLs, one per line, once it listens;
 * resolves with them. Disposing stops the server.
 */
export async function startPeerServer(
  cmd: string,
  args: string[],
  count: number,
  what: string,
): Promise<{ urls: string[] } & AsyncDisposable> {
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "inherit" }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  while (text.split("\n").length <= count) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`Cannot start ${what}: it exited after ${JSON.stringify(text)}`);
    text += value;
  }
  clearTimeout(deadline);
  lines.releaseLock();
  return {
    urls: text.trim().split("\n"),
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}
