// A scripted stand-in for a `Deno.Conn`, for connection tests over `_SocketTransport`.
import assert from "node:assert/strict";

export interface ScriptedSocket {
  conn: Deno.Conn;
  /** The buffers the connection read into, in order. */
  buffers: Uint8Array[];
  /** Copies of what the default `write` was given, in order. */
  wire: Uint8Array[];
}

export interface Script {
  /** What successive reads return, each one turn later, as a real read completes. */
  inputs?: Uint8Array[];
  /**
   * After the inputs, reads end the input (`"end"`), fail as a TLS socket does when its peer
   * closes without close_notify (`"fail"`), or never complete (`"wait"`, the default).
   */
  then?: "end" | "fail" | "wait";
  /** Replaces the default write, which records the bytes and completes at once. */
  write?: (bytes: Uint8Array) => Promise<number>;
}

export function scriptedSocket(script: Script = {}): ScriptedSocket {
  const inputs = script.inputs ?? [];
  const buffers: Uint8Array[] = [];
  const wire: Uint8Array[] = [];
  let next = 0;
  const conn = {
    read(into: Uint8Array): Promise<number | null> {
      buffers.push(into);
      const input = inputs[next++];
      if (input === undefined) {
        if (script.then === "end") return Promise.resolve(null);
        if (script.then === "fail") {
          return Promise.reject(
            new Deno.errors.UnexpectedEof(
              "peer closed connection without sending TLS close_notify",
            ),
          );
        }
        return new Promise(() => {});
      }
      assert.ok(input.length <= into.length, "each scripted input fits the read it answers");
      into.set(input);
      return new Promise((resolve) => setTimeout(() => resolve(input.length), 0));
    },
    write: script.write ?? ((bytes: Uint8Array) => {
      wire.push(bytes.slice());
      return Promise.resolve(bytes.length);
    }),
    close() {},
    closeWrite: () => Promise.resolve(),
  } as unknown as Deno.Conn;
  return { conn, buffers, wire };
}
