import { _defaultFetch } from "./_http_splicer.ts";
import type { _Registry } from "./_registry.ts";
import type { _ResolvedServeOptions } from "./_resolve_options.ts";
import { _upgradeNative } from "./_upgrade_native.ts";
import { _observeHandshake } from "../observability/_observe_handshake.ts";

/**
 * @internal The `native` engine: `Deno.serve` answers HTTP, our policy decides upgrades, and
 * `Deno.upgradeWebSocket` carries the connection.
 */
export class _NativeEngine<Data> {
  readonly addr: Deno.NetAddr;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  #stopped: Promise<void> | undefined;

  constructor(options: _ResolvedServeOptions<Data>, registry: _Registry<Data>) {
    const fetch = options.fetch ?? _defaultFetch;
    const { port, hostname, tls } = options;
    const handler = async (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
      const upgrade = request.headers.get("upgrade");
      if (upgrade === null || !upgrade.toLowerCase().includes("websocket")) return fetch(request);
      const { method, url, headers } = request;
      const remote = info.remoteAddr;
      const observed = _observeHandshake(options.metrics, "native", method, url, headers, remote);
      const { response } = await _upgradeNative(request, options, remote, registry);
      observed(response.status);
      return response;
    };
    const listen = { port, hostname, onListen: () => {} };
    this.#server = tls === undefined
      ? Deno.serve(listen, handler)
      : Deno.serve({ ...listen, cert: tls.cert, key: tls.key }, handler);
    this.addr = this.#server.addr;
  }

  /**
   * Stops accepting WebSockets: the registry, now closing, answers upgrades with 503. `Deno.serve`
   * itself keeps running until {@linkcode finish}, because its shutdown also ends every upgraded
   * WebSocket at once (reported as a clean 1005), cutting short the graceful close that must
   * deliver what was already sent and then 1001.
   */
  stopAccepting(): void {}

  /** Stops `Deno.serve` once the WebSockets are closed, waiting up to `timeout` ms. */
  async finish(timeout: number): Promise<void> {
    this.#stopped ??= this.#server.shutdown();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)));
    await Promise.race([this.#stopped, deadline]);
    clearTimeout(timer);
  }
}
