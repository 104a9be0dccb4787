import type { TracerLike } from "../observability/tracer_like.ts";

type _TraceModule = typeof import("../observability/trace_rpc.ts");

/**
 * @internal The router's spans. The tracing module (and `@opentelemetry/api` with it) is loaded
 * only when a router turns tracing on, so importing the messaging layer does not load it.
 */
export class _RouterTracing {
  readonly #module: Promise<_TraceModule>;
  readonly #tracer: { tracer?: TracerLike };

  constructor(tracing: true | TracerLike) {
    this.#module = import("../observability/trace_rpc.ts");
    // Reported where it is awaited; not an unhandled rejection before the first span.
    this.#module.catch(() => {});
    this.#tracer = tracing === true ? {} : { tracer: tracing };
  }

  /** Runs a client's request in a SERVER span continuing the trace of `envelope.trace`. */
  async request<T>(
    method: string,
    envelope: { trace?: unknown },
    fn: () => Promise<T>,
  ): Promise<T> {
    const { traceRpc } = await this.#module;
    return await traceRpc({ side: "server", method, envelope, ...this.#tracer }, fn);
  }

  /** Runs a publish in a PRODUCER span, a child of `envelope.trace` or the active context. */
  async publish<T>(
    topic: string,
    envelope: { trace?: unknown } | undefined,
    fn: () => Promise<T>,
  ): Promise<T> {
    const { tracePublish } = await this.#module;
    const from = envelope === undefined ? {} : { envelope };
    return await tracePublish({ topic, ...from, ...this.#tracer }, fn);
  }
}
