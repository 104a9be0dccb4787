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
  /**
   * A message over `maxMessageSize` is not delivered and fails the connection with 1009, though
   * perhaps only once it has arrived whole.
   */
  messageSizeLimit: boolean;
  /**
   * Protocol violations (RSV bits, reserved opcodes, masking, fragmentation, control frame
   * rules, invalid UTF-8, invalid close frames) are answered with a close frame carrying the
   * code RFC 6455 §7.4.1 assigns (1002, 1007), and reported by `conn.closed`.
   */
  protocolErrors: boolean;
  /** Close code 1014, registered with IANA after RFC 6455, is accepted and echoed. */
  registeredCloseCodes: boolean;
  /** A close frame the peer never answers ends the TCP connection after `closeTimeout`. */
  closeTimeout: boolean;
  /** A `serve()` server whose graceful shutdown can be tested. */
  shutdown: boolean;
  /**
   * Upper bound, in bytes, on what the transport itself buffers in one direction (kernel socket
   * buffers for TCP). Used to bound memory in backpressure cases.
   */
  transportBuffer: number;
}

/** A capability a case may need. */
export type Capability = Exclude<keyof Capabilities, "transportBuffer">;

/** Server settings for handshake cases. */
export interface ListenOptions {
  /** Milliseconds a peer has to deliver its request head. */
  handshakeTimeout?: number;
}

/** A listening server for handshake cases: raw TCP clients connect to `port` on 127.0.0.1. */
export interface Listening {
  port: number;
  /** Shuts the server down (bounded) and frees everything. */
  close(): Promise<void>;
}

/** An implementation under test. */
export interface Harness {
  /** Shown in test names. */
  name: string;
  /** The role of the raw peer: `"client"` when a server-side connection is under test. */
  peerRole: "client" | "server";
  capabilities: Capabilities;
  /** Why each missing capability is missing; shown in the names of ignored cases. */
  gaps?: Partial<Record<Capability, string>>;
  /** Opens one connection running `app`, with `options`, and a raw peer connected to it. */
  open(app: App, options?: ConnOptions): Promise<Session>;
  /**
   * Starts a server running `app` for every connection, for cases that speak HTTP to it (opening
   * handshake errors, slowloris). Only harnesses with a server have it.
   */
  listen?(app: App, options?: ListenOptions): Promise<Listening>;
  /** Whether the server applies `ListenOptions.handshakeTimeout` (`false`: explains why not). */
  handshakeTimeout?: true | string;
}
