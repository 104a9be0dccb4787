/** Where a delivery came from, passed to subscription handlers with the payload. */
export interface DeliveryInfo {
  /** The topic name the message was published to. */
  topic: string;
  /** Epoch of the topic's history. */
  epoch: string;
  /** Offset of the message in the epoch. */
  offset: number;
}

/**
 * What {@linkcode AeroClient.subscribe} returns: call it to unsubscribe. `ready` resolves once
 * the server confirmed the subscription (messages published after that are delivered), and
 * rejects with an {@linkcode RpcError} when the server refused it.
 *
 * @example
 * ```ts
 * import type { Subscription } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * const subscription: Subscription = Object.assign(() => {}, { ready: Promise.resolve() });
 * subscription();
 * assert.equal(await subscription.ready, undefined);
 * ```
 */
export type Subscription = (() => void) & { readonly ready: Promise<void> };
