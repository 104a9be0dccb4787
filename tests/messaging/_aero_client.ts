import { Connection, type ConnectionOptions, type Message } from "@aero/socket";
import { type AeroProtocol, codecFor, type Router } from "@aero/socket/messaging";
import { createTransportPair } from "@aero/socket/testing";

// deno-lint-ignore no-explicit-any
export type Envelope = Record<string, any>;

/** A minimal aero.v1 client written from docs/PROTOCOL.md, over a raw Connection. */
export class AeroTestClient {
  readonly conn: Connection;
  readonly protocol: AeroProtocol;
  readonly received: Envelope[] = [];
  #cursor = 0;
  #wake: (() => void) | null = null;
  #nextId = 1;
  readonly done: Promise<void>;

  constructor(conn: Connection, protocol: AeroProtocol) {
    this.conn = conn;
    this.protocol = protocol;
    this.done = (async () => {
      for await (const message of conn) {
        this.received.push(this.decode(message));
        this.#wake?.();
      }
      this.#wake?.();
    })();
  }

  decode(message: Message): Envelope {
    return codecFor(this.protocol)!.decode(message.data) as Envelope;
  }

  send(envelope: Envelope): void {
    this.conn.send(codecFor(this.protocol)!.encode(envelope));
  }

  /** The next envelope not yet taken, waiting up to `ms`. */
  async next(ms = 2_000): Promise<Envelope> {
    const deadline = Date.now() + ms;
    while (this.#cursor >= this.received.length) {
      if (Date.now() > deadline) throw new Error("Timed out waiting for an envelope");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 20);
      });
    }
    return this.received[this.#cursor++]!;
  }

  /** Sends `envelope` with a fresh id and returns the answer carrying that id. */
  async call(envelope: Envelope): Promise<Envelope> {
    const id = this.#nextId++;
    this.send({ ...envelope, id });
    for (;;) {
      const answer = await this.next();
      if (answer.id === id && answer.type !== "request") return answer;
    }
  }

  /** Skips envelopes until one satisfies `predicate`. */
  async until(predicate: (envelope: Envelope) => boolean): Promise<Envelope> {
    for (;;) {
      const envelope = await this.next();
      if (predicate(envelope)) return envelope;
    }
  }

  async close(): Promise<void> {
    this.conn.close();
    await this.conn.closed;
    await this.done;
  }
}

export interface Connected {
  client: AeroTestClient;
  server: Connection;
  handled: Promise<void>;
  session: string;
  welcome: Envelope;
}

/** Connects a test client to `router` over an in-memory transport pair and sends `connect`. */
export async function connect(
  router: Router,
  protocol: AeroProtocol = "aero.v1.json",
  options: { server?: Partial<ConnectionOptions>; connect?: Envelope | false } = {},
): Promise<Connected> {
  const [a, b] = createTransportPair();
  const server = new Connection(a, { ...options.server, role: "server", protocol });
  const handled = router.handle(server);
  const client = new AeroTestClient(new Connection(b, { role: "client" }), protocol);
  let welcome: Envelope = {};
  if (options.connect !== false) {
    client.send({ type: "connect", ...options.connect });
    welcome = await client.next();
  }
  return { client, server, handled, session: welcome.session, welcome };
}
