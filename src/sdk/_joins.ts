import type { ClientEnvelope, EnvelopeId } from "../messaging/envelope.ts";
import { RpcError } from "../messaging/errors.ts";

const _TRANSIENT = new Set(["timeout", "unavailable", "cancelled"]);

/**
 * @internal The topics the client is present in, with the data it joined with: it joins them
 * again after every reconnection.
 */
export class _Joins {
  readonly #joins = new Map<string, unknown>();

  /** Remembers that the client is present in `topic` with `data`. */
  set(topic: string, data: unknown): void {
    this.#joins.set(topic, data);
  }

  /** Forgets `topic`. */
  delete(topic: string): void {
    this.#joins.delete(topic);
  }

  /** Forgets `topic` when joining it failed with `error` for good. */
  refused(topic: string, error: unknown): void {
    // Refused (forbidden, bad topic): do not join again on every reconnection.
    if (error instanceof RpcError && !_TRANSIENT.has(error.code)) this.#joins.delete(topic);
  }

  /** Sends `join` for every topic, in the order they were first joined. */
  rejoin(send: (envelope: ClientEnvelope) => boolean, nextId: () => number): void {
    for (const [topic, data] of this.#joins) send(_joinEnvelope(topic, data, nextId()));
  }
}

/** @internal The `join` envelope of `topic`. */
export function _joinEnvelope(topic: string, data: unknown, id: EnvelopeId = 0): ClientEnvelope {
  const envelope: ClientEnvelope = { type: "join", id, topic };
  if (data !== undefined) envelope.data = data;
  return envelope;
}
