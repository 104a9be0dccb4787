/** Options for {@linkcode monitorEventLoop}. */
export interface EventLoopMonitorOptions {
  /** Milliseconds between samples. @default {500} */
  interval?: number;
  /** Stops monitoring when aborted. @default {undefined} */
  signal?: AbortSignal;
}

/**
 * Samples event-loop lag: a timer that should fire every `interval` ms measures how late it
 * fires, and stores the delay of the latest sample, in seconds, in `target.eventLoopLagSeconds` (the
 * `aero_event_loop_lag_seconds` gauge of `ServerMetrics`). The timer does not keep the process
 * alive. Dispose the result (or abort `signal`) to stop.
 *
 * @example
 * ```ts
 * import { monitorEventLoop, ServerMetrics } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * const metrics = new ServerMetrics();
 * using _monitor = monitorEventLoop(metrics, { interval: 10 });
 * await new Promise((resolve) => setTimeout(resolve, 15));
 * const start = performance.now();
 * while (performance.now() - start < 50) {
 *   // Block the event loop.
 * }
 * // The overdue sample runs first.
 * await new Promise((resolve) => setTimeout(resolve, 1));
 * assert.ok(metrics.eventLoopLagSeconds > 0.02);
 * ```
 */
export function monitorEventLoop(
  target: { eventLoopLagSeconds: number },
  options: EventLoopMonitorOptions = {},
): Disposable {
  const interval = options.interval ?? 500;
  if (!Number.isSafeInteger(interval) || interval < 1) {
    throw new RangeError(`Cannot monitor event loop: invalid interval ${interval}`);
  }
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    target.eventLoopLagSeconds = Math.max(0, now - last - interval) / 1000;
    last = now;
  }, interval);
  Deno.unrefTimer(timer);
  const stop = () => clearInterval(timer);
  options.signal?.addEventListener("abort", stop, { once: true });
  return { [Symbol.dispose]: stop };
}
