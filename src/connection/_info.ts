import type { ConnectionInfo } from "./connection_options.ts";

/**
 * @internal A connection's `info`, whose headers are made on first read when given as a function.
 */
export class _Info implements ConnectionInfo {
  remoteAddress: Deno.NetAddr | undefined;
  url: string | undefined;
  protocol: string;
  extensions: string[];
  connectedAt: number = Date.now();
  #headers: Headers | (() => Headers) | undefined;

  constructor(
    remoteAddress: Deno.NetAddr | undefined,
    url: string | undefined,
    headers: Headers | (() => Headers) | undefined,
    protocol: string,
    extensions: string[],
  ) {
    this.remoteAddress = remoteAddress;
    this.url = url;
    this.#headers = headers;
    this.protocol = protocol;
    this.extensions = extensions;
  }

  get headers(): Headers {
    const headers = this.#headers;
    if (headers instanceof Headers) return headers;
    return this.#headers = headers === undefined ? new Headers() : headers();
  }

  set headers(headers: Headers) {
    this.#headers = headers;
  }
}
