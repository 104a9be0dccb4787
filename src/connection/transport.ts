/**
 * A bidirectional byte stream a {@linkcode Connection} runs over: a TCP or TLS socket, or an
 * in-memory pair in tests. `Deno.Conn` fits as it is.
 *
 * Contract: the connection reads `readable` with one reader and writes `writable` with one
 * writer; once a write has resolved, the transport no longer references that chunk.
 *
 * @example A Deno.Conn is a Transport
 * ```ts
 * import type { Transport } from "@aero/socket";
 *
 * function accept(conn: Deno.Conn): Transport {
 *   return conn;
 * }
 * ```
 */
export interface Transport {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Bytes to the peer. A write's promise must settle only once the sink is done with the chunk
   * (written to the socket, or copied): the connection reuses its buffers after that.
   */
  readonly writable: WritableStream<Uint8Array>;
  /** Releases the underlying resource at once (both directions). Must not throw twice. */
  close(): void;
  /**
   * Ends the outgoing direction only (a TCP FIN), keeping the incoming one readable. Used after
   * failing a connection, so the peer sees the end right after the close frame. Optional.
   */
  closeWrite?(): Promise<void> | void;
}
