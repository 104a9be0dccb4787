import { Connection } from "../connection/connection.ts";
import { _SocketTransport } from "../connection/_socket_transport.ts";
import { _formatUpgradeResponse, validateUpgradeRequest } from "../protocol/handshake.ts";
import {
  _headersLater,
  _headText,
  _parseRequestHead,
  type RequestHead,
} from "../protocol/http_head.ts";
import { HandshakeError } from "../protocol/errors.ts";
import { _Acceptor } from "./_acceptor.ts";
import { _HandshakeDeadlines } from "./_handshake_deadlines.ts";
import { _HttpSplicer } from "./_http_splicer.ts";
import { _closeQuietly, _respondAndClose } from "./_raw_response.ts";
import { type _ChunkReader, _openReader, _readHead } from "./_read_head.ts";
import type { _Registry } from "./_registry.ts";
import { _applyUpgradePolicy, _errorResponse } from "./_upgrade_policy.ts";
import type { _ResolvedServeOptions } from "./_resolve_options.ts";
import { _observeHandshake } from "../observability/_observe_handshake.ts";

/**
 * @internal The `streams` engine: `Deno.listen`/`Deno.listenTls` accept, our code answers the
 * opening handshake, and our pipeline ({@linkcode Connection}) runs the connection. Requests
 * that are not WebSocket upgrades are spliced into `Deno.serve`.
 */
export class _StreamsEngine<Data> {
  readonly addr: Deno.NetAddr;
  readonly #options: _ResolvedServeOptions<Data>;
  readonly #registry: _Registry<Data>;
  readonly #listener: Deno.Listener;
  readonly #splicer: _HttpSplicer;
  readonly #handshaking = new Set<Deno.Conn>();
  readonly #acceptor: _Acceptor<Deno.Conn>;
  readonly #deadlines: _HandshakeDeadlines;
  readonly #scheme: "http" | "https";

  constructor(options: _ResolvedServeOptions<Data>, registry: _Registry<Data>) {
    this.#options = options;
    this.#registry = registry;
    const { port, hostname, tls } = options;
    this.#listener = tls === undefined
      ? Deno.listen({ port, hostname })
      : Deno.listenTls({ port, hostname, cert: tls.cert, key: tls.key });
    this.#scheme = tls === undefined ? "http" : "https";
    this.addr = this.#listener.addr as Deno.NetAddr;
    this.#splicer = new _HttpSplicer(options.fetch);
    const metrics = options.metrics;
    this.#deadlines = new _HandshakeDeadlines(options.handshakeTimeout, {
      max: options.maxPendingHandshakes,
      ...(metrics?.recordHandshakeDropped === undefined
        ? {}
        : { onDrop: (reason) => metrics.recordHandshakeDropped!("streams", reason) }),
    });
    this.#acceptor = new _Acceptor(this.#listener, (conn) => this.#handle(conn), {
      room: () => this.#deadlines.room(),
    });
  }

  /** Stops accepting and drops connections whose handshake is not done. */
  stopAccepting(): void {
    this.#acceptor.stop();
    _closeQuietly(this.#listener);
    for (const conn of this.#handshaking) _closeQuietly(conn);
    this.#deadlines.stop();
  }

  /** Shuts the HTTP side down (bounded by `timeout` ms) once the WebSockets are closed. */
  async finish(timeout: number): Promise<void> {
    await this.#acceptor.done;
    await this.#splicer.close(timeout);
  }

  async #handle(conn: Deno.Conn): Promise<void> {
    this.#handshaking.add(conn);
    // No slowloris: the whole head (and the TLS handshake) must arrive within the timeout, and
    // with `maxPendingHandshakes` connections waiting for theirs, the acceptor waits for room
    // (see `_HandshakeDeadlines.room`).
    const deadline = this.#deadlines.add(conn);
    // The socket is read and written with `conn.read`/`conn.write` (see `_SocketTransport`).
    const reader = _openReader(conn);
    try {
      const result = await _readHead(reader, this.#options.limits.maxHandshakeHeadSize).catch(
        () => ({ type: "closed" }) as const,
      );
      this.#deadlines.done(deadline);
      if (result.type === "closed") return _closeQuietly(conn);
      if (result.type === "invalid") {
        const error = new HandshakeError(400, "Cannot parse request: malformed request line");
        return await _respondAndClose(conn, reader, error.toResponse(), "GET");
      }
      if (result.type === "too-large") {
        const error = new HandshakeError(431, "Cannot accept request: head is too large");
        return await _respondAndClose(conn, reader, error.toResponse(), "GET");
      }
      // The head's text is parsed here and kept by the connection, for `info.headers`.
      const headText = _headText(result.bytes.subarray(0, result.end));
      let head: RequestHead;
      try {
        head = _parseRequestHead(headText);
      } catch (error) {
        return await _respondAndClose(conn, reader, _errorResponse(error), "GET");
      }
      if (!_isUpgradeAttempt(head)) {
        this.#handshaking.delete(conn);
        return await this.#splicer.splice(conn, reader, result.bytes);
      }
      const remote = conn.remoteAddr as Deno.NetAddr;
      const { method, target, headers } = head;
      const observed = _observeHandshake(
        this.#options.metrics,
        "streams",
        method,
        target,
        headers,
        remote,
      );
      await this.#upgrade(
        conn,
        reader,
        head,
        headText,
        result.bytes.subarray(result.end),
        observed,
      );
    } catch {
      _closeQuietly(conn);
    } finally {
      this.#deadlines.done(deadline);
      this.#handshaking.delete(conn);
    }
  }

  async #upgrade(
    conn: Deno.Conn,
    reader: _ChunkReader,
    head: RequestHead,
    headText: string,
    leftover: Uint8Array,
    observed: (status: number) => void,
  ): Promise<void> {
    const options = this.#options;
    let upgrade;
    let url: URL;
    try {
      upgrade = validateUpgradeRequest(head);
      url = this.#url(head);
    } catch (error) {
      return await _refuse(observed, conn, reader, _errorResponse(error), head.method);
    }
    if (!this.#registry.reserve()) {
      const error = new HandshakeError(503, "Cannot upgrade: the server is at capacity");
      return await _refuse(observed, conn, reader, error.toResponse(), head.method);
    }
    const remoteAddress = conn.remoteAddr as Deno.NetAddr;
    const verdict = await _applyUpgradePolicy(
      _requestOf(url, head),
      upgrade,
      options,
      remoteAddress,
      true,
    );
    if (!verdict.ok) {
      this.#registry.release();
      return await _refuse(observed, conn, reader, verdict.response, head.method);
    }
    const response = _formatUpgradeResponse(upgrade.key, {
      protocol: verdict.protocol === "" ? undefined : verdict.protocol,
      extensions: verdict.negotiation.responses,
      headers: verdict.headers,
    });
    const transport = new _SocketTransport(conn, leftover);
    try {
      await transport.write(response);
    } catch {
      this.#registry.release();
      for (const extension of verdict.negotiation.extensions) extension.close();
      verdict.abandon();
      observed(0);
      return _closeQuietly(conn);
    }
    observed(101);
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    const connection = new Connection<Data>(transport, {
      role: "server",
      protocol: verdict.protocol,
      extensions: verdict.negotiation.extensions,
      url: url.href,
      // The head's text is kept instead of a `Headers` (about a third of the memory), which is
      // made if the application reads `info.headers`.
      headers: _headersLater(headText),
      remoteAddress,
      ...(verdict.data === undefined ? {} : { data: verdict.data }),
      limits: options.limits,
      keepalive: options.keepalive,
      closeTimeout: options.closeTimeout,
      maxBufferedAmount: options.maxBufferedAmount,
      slowConsumer: options.slowConsumer,
      maxReadAhead: options.maxReadAhead,
      ...(options.fragmentSize === undefined ? {} : { fragmentSize: options.fragmentSize }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    });
    this.#registry.add(verdict.attach(connection), () => _closeQuietly(conn));
  }

  // The request's URL (RFC 9112 §3.3): origin-form against Host, or absolute-form as it is.
  #url(head: RequestHead): URL {
    const host = head.headers.get("host") ?? `${this.addr.hostname}:${this.addr.port}`;
    const url = new URL(head.target, `${this.#scheme}://${host}`);
    if (!head.target.startsWith("/") && url.href !== head.target) {
      throw new HandshakeError(400, `Cannot upgrade: invalid request target`);
    }
    return url;
  }
}

// The `Request` for the upgrade policy, made only when a policy looks at it (security, a
// subprotocol selector function, `onUpgrade`): it copies every header, a good part of an
// upgrade's cost. A function of its own, so that the closure holds the URL and head only, not
// the variables of the upgrade (a connection keeps a closure made there for its lifetime).
function _requestOf(url: URL, head: RequestHead): () => Request {
  return () => new Request(url, { method: head.method, headers: head.headers });
}

// Reports a refused upgrade, then answers it.
function _refuse(
  observed: (status: number) => void,
  conn: Deno.Conn,
  reader: Parameters<typeof _respondAndClose>[1],
  response: Response,
  method: string,
): Promise<void> {
  observed(response.status);
  return _respondAndClose(conn, reader, response, method);
}

// A request that asks for a WebSocket: it is answered by our handshake code (with an error when
// it is not a valid one); anything else is plain HTTP for `Deno.serve`.
function _isUpgradeAttempt(head: RequestHead): boolean {
  const upgrade = head.headers.get("upgrade");
  return upgrade !== null && upgrade.toLowerCase().includes("websocket");
}
