// Test doubles for the SDK: a dialer onto a real Router over in-memory transport pairs (with a
// switch to cut and refuse connections), and a scripted aero.v1 peer for edge cases a correct
// server never produces (replayed duplicates, silence, refusals).
import { Connection } from "../../src/connection/mod.ts";
import type { Router } from "../../src/messaging/mod.ts";
import type { AeroClient, Dialer } from "../../src/sdk/mod.ts";
import { createTransportPair } from "../../src/testing/mod.ts";

// deno-lint-ignore no-explicit-any
export type Envelope = Record<string, any>;

/** A dialer whose connections are handled by `router()`; `down` refuses new ones. */
export class RouterNetwork {
  router: Router;
  down = false;
  dials = 0;
  readonly #cut = new Set<() => void>();

  constructor(router: Router) {
    this.router = router;
  }

  readonly dial: Dialer = (_url, { protocols }) => {
    this.dials++;
    if (this.down) return Promise.reject(new Error("connection refused"));
    const protocol = protocols[0]!;
    const [a, b] = createTransportPair();
    const server = new Connection(a, { role: "server", protocol, keepalive: { pingInterval: 0 } });
    const close = () => a.close();
    this.#cut.add(close);
    this.router.handle(server).catch(() => {}).finally(() => this.#cut.delete(close));
    return Promise.resolve(
      new Connection(b, { role: "client", protocol, keepalive: { pingInterval: 0 } }),
    );
  };

  /** Breaks every live connection at once, like a network failure. */
  cutAll(): void {
    for (const close of [...this.#cut]) close();
  }
}

/** One scripted server-side connection. */
export class Peer {
  readonly conn: Connection;
  readonly received: Envelope[] = [];
  #waiters: (() => void)[] = [];
  #cursor = 0;

  constructor(conn: Connection) {
    this.conn = conn;
    (async () => {
      try {
        for await (const message of conn) {
          this.received.push(JSON.parse(message.data as string));
          for (const wake of this.#waiters.splice(0)) wake();
        }
      } catch {
        // Cut.
      }
      for (const wake of this.#waiters.splice(0)) wake();
    })();
  }

  send(envelope: Envelope): void {
    this.conn.sendJson(envelope);
  }

  /** The next envelope from the client (of `type`, skipping others, when given). */
  async next(type?: string, ms = 2_000): Promise<Envelope> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.#cursor < this.received.length) {
        const envelope = this.received[this.#cursor++]!;
        if (type === undefined || envelope.type === type) return envelope;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${type ?? "an envelope"}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  /** Answers `connect` with `welcome`. */
  async welcome(session = "s1", resumed = false): Promise<Envelope> {
    const connect = await this.next("connect");
    this.send({ type: "welcome", id: connect.id, session, resume: `r_${session}`, resumed });
    return connect;
  }
}

/** A dialer handing each new connection to `script` (connections beyond the script fail). */
export function scriptedDialer(
  ...scripts: ((peer: Peer) => void | Promise<void>)[]
): Dialer & { peers: Peer[] } {
  const peers: Peer[] = [];
  const dial = ((_url, { protocols }) => {
    const script = scripts.shift();
    if (script === undefined) return Promise.reject(new Error("connection refused"));
    const protocol = protocols[0]!;
    const [a, b] = createTransportPair();
    const peer = new Peer(new Connection(a, { role: "server", protocol }));
    peers.push(peer);
    Promise.resolve(script(peer)).catch(() => {});
    return Promise.resolve(new Connection(b, { role: "client", protocol }));
  }) as Dialer & { peers: Peer[] };
  dial.peers = peers;
  return dial;
}

/** Resolves with the first event `event` of `client` that satisfies `match`. */
export function nextEvent<E extends Parameters<AeroClient["on"]>[0]>(
  client: AeroClient,
  event: E,
  // deno-lint-ignore no-explicit-any
  match: (payload: any) => boolean = () => true,
  ms = 3_000,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`Timed out waiting for ${event}`));
    }, ms);
    // deno-lint-ignore no-explicit-any
    const off = client.on(event, (payload: any) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}
