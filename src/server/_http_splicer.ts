import type { _ChunkReader } from "./_read_head.ts";
import { _closeQuietly } from "./_raw_response.ts";

type _Fetch = (request: Request) => Response | Promise<Response>;

/** @internal The answer to plain HTTP requests when the application gave no `fetch` handler. */
export function _defaultFetch(): Response {
  return new Response("Cannot serve: this endpoint only accepts WebSocket upgrades\n", {
    status: 426,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      upgrade: "websocket",
      "sec-websocket-version": "13",
    },
  });
}

/**
 * @internal Hands plain HTTP connections to `Deno.serve`, which stays the HTTP server: one
 * `Deno.serve` listens on a private Unix socket (started on first use); each spliced connection
 * gets its own Unix connection, receives the bytes already read, then both directions are piped
 * until either side ends. A keep-alive connection stays with `Deno.serve` for its lifetime.
 */
export class _HttpSplicer {
  #fetch: _Fetch;
  #started: Promise<{ server: Deno.HttpServer; dir: string; path: string }> | undefined;
  #conns = new Set<Deno.Conn>();
  #closed = false;

  constructor(fetch: _Fetch | undefined) {
    this.#fetch = fetch ?? _defaultFetch;
  }

  /** Splices `conn` (whose first bytes, `initial`, were already read through `reader`). */
  async splice(
    conn: Deno.Conn,
    reader: _ChunkReader,
    initial: Uint8Array,
  ): Promise<void> {
    this.#conns.add(conn);
    let upstream: Deno.UnixConn | undefined;
    try {
      if (this.#closed) return;
      const { path } = await this.#start();
      upstream = await Deno.connect({ transport: "unix", path });
      this.#conns.add(upstream);
      const writer = upstream.writable.getWriter();
      await writer.write(initial);
      writer.releaseLock();
      reader.releaseLock();
      const up = upstream;
      const inbound = conn.readable.pipeTo(up.writable, { preventClose: true })
        .then(() => up.closeWrite())
        .catch(() => {});
      await upstream.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {});
      _closeQuietly(conn);
      _closeQuietly(upstream);
      await inbound;
    } catch {
      // Either side failed: drop both.
    } finally {
      _closeQuietly(conn);
      if (upstream !== undefined) {
        _closeQuietly(upstream);
        this.#conns.delete(upstream);
      }
      this.#conns.delete(conn);
    }
  }

  /**
   * Stops `Deno.serve` gracefully (idle keep-alive connections are closed, requests in flight
   * complete), closes whatever is still spliced after `timeout` ms, and removes the socket.
   */
  async close(timeout: number): Promise<void> {
    this.#closed = true;
    if (this.#started === undefined) return;
    let started;
    try {
      started = await this.#started;
    } catch {
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)));
    await Promise.race([started.server.shutdown(), deadline]);
    clearTimeout(timer);
    for (const conn of this.#conns) _closeQuietly(conn);
    await started.server.finished;
    await Deno.remove(started.dir, { recursive: true }).catch(() => {});
  }

  #start(): Promise<{ server: Deno.HttpServer; dir: string; path: string }> {
    this.#started ??= (async () => {
      const dir = await Deno.makeTempDir({ prefix: "aero-http-" });
      const path = `${dir}/http.sock`;
      const fetch = this.#fetch;
      const server = Deno.serve({ path, onListen: () => {} }, (request) => fetch(request));
      return { server, dir, path };
    })();
    return this.#started;
  }
}
