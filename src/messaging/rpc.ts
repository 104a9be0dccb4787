import type { WebSocketConnection } from "../connection/websocket_connection.ts";

/** What an RPC handler and its middleware receive. */
export interface RpcContext<Data = unknown> {
  /** The method called. */
  readonly method: string;
  /** The request's `data` (`undefined` when absent). */
  data: Data;
  /** The caller's session id. */
  readonly session: string;
  /** The caller's connection. */
  readonly conn: WebSocketConnection;
  /** Aborted when the request times out or the connection closes. */
  readonly signal: AbortSignal;
  /** Free space for middleware to pass values on (the authenticated user, …). */
  readonly state: Record<string, unknown>;
}

/**
 * Handles one method: returns (or resolves to) the response `data`; throws an `RpcError` to
 * answer with a structured error. Any other error is answered `internal` without details.
 */
export type RpcHandler<Params = unknown, Result = unknown> = (
  context: RpcContext<Params>,
) => Result | Promise<Result>;

/**
 * Runs around every handler, in registration order: call `next()` to continue (its result is
 * the handler's), throw an `RpcError` to stop with an error, or return a value to answer
 * without calling the handler.
 */
export type RpcMiddleware = (
  context: RpcContext,
  next: () => Promise<unknown>,
) => unknown | Promise<unknown>;

/**
 * Runs `handler` behind `middleware` for one request.
 *
 * @example
 * ```ts
 * import { composeRpc, type RpcContext } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * const order: string[] = [];
 * const run = composeRpc([async (_, next) => {
 *   order.push("before");
 *   const result = await next();
 *   order.push("after");
 *   return result;
 * }], (context) => context.data);
 * assert.equal(await run({ data: 42 } as RpcContext), 42);
 * assert.deepEqual(order, ["before", "after"]);
 * ```
 */
export function composeRpc(
  middleware: readonly RpcMiddleware[],
  handler: RpcHandler,
): (context: RpcContext) => Promise<unknown> {
  return (context) => {
    let last = -1;
    const dispatch = async (index: number): Promise<unknown> => {
      if (index <= last) throw new Error("Cannot call next(): already called");
      last = index;
      const current = middleware[index];
      if (current === undefined) return await handler(context);
      return await current(context, () => dispatch(index + 1));
    };
    return dispatch(0);
  };
}
