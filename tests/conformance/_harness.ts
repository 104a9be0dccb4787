/**
 * What the conformance suite needs from an implementation under test: a connection running the
 * application code the test gives it, and a {@linkcode RawPeer} on the other end of the wire.
 *
 * @module
 */
import type {
  KeepaliveOptions,
  SlowConsumerOptions,
  WebSocketConnection,
} from "../../src/connection/mod.ts";
import type { Limits } from "../../src/protocol/mod.ts";
import type { RawPeer } from "./_raw_peer.ts";

/** Application code run on the connection under test. */
export type App = (conn: WebSocketConnection) => void | Promise<void>;

/** Connection settings a test asks for; a harness passes them to whatever it wraps. */
export interface ConnOptions {
  limits?: Partial<Limits>;
  keepalive?: KeepaliveOptions;
  closeTimeout?: number;
  maxBufferedAmount?: number;
  slowConsumer?: SlowConsumerOptions;
  maxReadAhead?: number;
}

/** One connection under test and the raw peer it talks to. */
export interface Session {
  peer: RawPeer;
  conn: WebSocketConnection;
  /** Settles when the application function returns (or throws). */
  appDone: Promise<void>;
  /** Initiates a graceful server shutdown, when the harness has a server. */
  shutdown?: (timeout: number) => Promise<void>;
  /** Closes the peer, waits (bounded) for the connection and the app to end, frees everything. */
  dispose(): Promise<void>;
}

/** What a harness can exercise; cases that need more are registered as ignored. */
export interface Capabilities {
  /**
   * The transport between peer and connection has bounded buffers, so a peer that stops reading
   * eventually stalls the connection's writes, and a connection that stops reading eventually
   * blocks the peer's writes.
   */
  backpressure: boolean;
  /** `bufferedAmount`, `maxBufferedAmount` and the slow-consumer policies are exact. */
  slowConsumer: boolean;
  /** Reading pauses at `maxReadAhead`. */
  readAhead: boolean;
  /** Server-initiated keepalive pings and the idle timeout. */
  keepalive: boolean;
  /** Limits on frame and message size close with 1009 before the payload is buffered. */
  limits: boolean;
  /** A `serve()` server whose graceful shutdown can be tested. */
  shutdown: boolean;
  /**
   * Upper bound, in bytes, on what the transport itself buffers in one direction (kernel socket
   * buffers for TCP). Used to bound memory in backpressure cases.
   */
  transportBuffer: number;
}

/** An implementation under test. */
export interface Harness {
  /** Shown in test names. */
  name: string;
  /** The role of the raw peer: `"client"` when a server-side connection is under test. */
  peerRole: "client" | "server";
  capabilities: Capabilities;
  /** Opens one connection running `app`, with `options`, and a raw peer connected to it. */
  open(app: App, options?: ConnOptions): Promise<Session>;
}
