import type { ClientEvents } from "./client_state.ts";

/**
 * @internal The client's event listeners: calls every listener of an event in the order they
 * were added; a throwing listener is reported and does not stop the others.
 */
export class _Emitter {
  readonly #listeners = new Map<keyof ClientEvents, Set<(event: never) => void>>();

  /** Adds `listener` to `event`; returns a function that removes it. */
  on(event: keyof ClientEvents, listener: (event: never) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, set = new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls the listeners of `event` with `payload`. */
  emit<E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(payload as never);
      } catch (error) {
        _report(error);
      }
    }
  }
}

/**
 * @internal Reports an error thrown by an application callback: a throwing callback must not
 * break the client, so it is reported like an uncaught error.
 */
export function _report(error: unknown): void {
  if (typeof globalThis.reportError === "function") globalThis.reportError(error);
  else {queueMicrotask(() => {
      throw error;
    });}
}
