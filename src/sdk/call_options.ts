/** Options for {@linkcode AeroClient.publish}. */
export interface PublishOptions {
  /**
   * Wait for the server's `ack` and resolve with the stored position.
   *
   * @default {false}
   */
  ack?: boolean;
  /**
   * Fail with `no_subscribers` when nobody is subscribed.
   *
   * @default {false}
   */
  required?: boolean;
  /**
   * Milliseconds to wait for the `ack`, including time in the offline queue.
   *
   * @default {AeroClientOptions.requestTimeout} (30,000)
   */
  timeout?: number;
  /**
   * Cancels the publication while it waits in the offline queue or for its `ack`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * W3C trace context sent in the envelope's `trace` field (`docs/PROTOCOL.md` §2.1), so the
   * server's span continues the caller's trace; for example what `injectTraceContext({})` of
   * `@aero/socket/observability` writes. The SDK does not load OpenTelemetry itself.
   *
   * @default {undefined} (no `trace` field)
   */
  trace?: { traceparent: string; tracestate?: string };
}

/** Options for {@linkcode AeroClient.request} and {@linkcode AeroClient.presence}. */
export interface RequestOptions {
  /**
   * Milliseconds before the call fails with `timeout`, including time in the offline queue.
   *
   * @default {AeroClientOptions.requestTimeout} (30,000)
   */
  timeout?: number;
  /**
   * Cancels the call: it rejects with the signal's reason and leaves the offline queue.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * W3C trace context sent in the envelope's `trace` field (`docs/PROTOCOL.md` §2.1), so the
   * server's span continues the caller's trace; for example what `injectTraceContext({})` of
   * `@aero/socket/observability` writes. The SDK does not load OpenTelemetry itself. Ignored
   * by `presence`.
   *
   * @default {undefined} (no `trace` field)
   */
  trace?: { traceparent: string; tracestate?: string };
}

/** What a server-to-client request handler gets besides the parameters. */
export interface IncomingRequest {
  /** The method called. */
  method: string;
  /** The server's timeout for the call, when it gave one. */
  timeout?: number;
}
