import type { ClientEnvelope, ServerEnvelope } from "./envelope.ts";
import { ERROR_CODE, RpcError } from "./errors.ts";
import { composeRpc, type RpcContext, type RpcHandler, type RpcMiddleware } from "./rpc.ts";
import type { _RouterState } from "./_router_state.ts";
import type { _Session } from "./_session.ts";

type _Run = (context: RpcContext) => Promise<unknown>;

/** @internal The router's RPC handlers and middleware, composed lazily per method. */
export class _RpcMethods {
  readonly #composed = new Map<string, _Run>();
  readonly #handlers = new Map<string, RpcHandler>();
  readonly #middleware: RpcMiddleware[] = [];

  use(middleware: RpcMiddleware): void {
    this.#middleware.push(middleware);
    this.#composed.clear();
  }

  set(name: string, handler: RpcHandler): void {
    this.#handlers.set(name, handler);
    this.#composed.delete(name);
  }

  /** Whether `name` has a handler. */
  has(name: string): boolean {
    return this.#handlers.has(name);
  }

  /** The handler of `name` behind the middleware; `undefined` when there is none. */
  get(name: string): _Run | undefined {
    let run = this.#composed.get(name);
    if (run !== undefined) return run;
    const handler = this.#handlers.get(name);
    if (handler === undefined) return undefined;
    this.#composed.set(name, run = composeRpc(this.#middleware, handler));
    return run;
  }
}

/** @internal Serves a client's `request` and sends exactly one `response`. */
export async function _onRequest(
  state: _RouterState,
  session: _Session,
  envelope: Extract<ClientEnvelope, { type: "request" }>,
): Promise<void> {
  const { id, method } = envelope;
  const started = performance.now();
  // Unknown names come from the client: one label for all of them keeps metrics bounded.
  const label = state.rpc.has(method) ? method : "_OTHER";
  let response: ServerEnvelope;
  try {
    const serve = () => _serve(state, session, envelope);
    const data = await (state.tracing?.request(label, envelope, serve) ?? serve());
    response = { type: "response", id };
    if (data !== undefined) response.data = data;
  } catch (thrown) {
    let error: RpcError;
    if (thrown instanceof RpcError) error = thrown;
    else {
      state.options.onError(thrown);
      error = new RpcError(ERROR_CODE.INTERNAL, `Cannot call ${method}: internal error`);
    }
    response = { type: "response", id, error: error.toBody() };
  }
  state.options.metrics?.recordRpc(
    label,
    (performance.now() - started) / 1000,
    response.error?.code,
  );
  if (session.send(response) === "refused") {
    state.deadLetter({ reason: "slow_consumer", session: session.id, type: "response" });
  }
}

// Runs the request's handler behind the permission, existence and limit checks; throws the
// RpcError to answer with.
async function _serve(
  state: _RouterState,
  session: _Session,
  envelope: Extract<ClientEnvelope, { type: "request" }>,
): Promise<unknown> {
  const { method } = envelope;
  // Permissions first: a caller without them cannot probe which methods exist.
  if (!state.permitted(session, "rpc", method)) {
    throw new RpcError(ERROR_CODE.FORBIDDEN, `Cannot call ${method}: not allowed`);
  }
  const run = state.rpc.get(method);
  if (run === undefined) {
    throw new RpcError(ERROR_CODE.METHOD_NOT_FOUND, `Cannot call ${method}: no such method`);
  }
  if (session.incoming.size >= state.options.maxPendingRequests) {
    throw new RpcError(
      ERROR_CODE.LIMIT_EXCEEDED,
      `Cannot call ${method}: too many pending requests`,
    );
  }
  const controller = new AbortController();
  session.incoming.add(controller);
  const timeout = Math.min(envelope.timeout ?? state.options.rpcTimeout, state.options.rpcTimeout);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new RpcError(
        ERROR_CODE.TIMEOUT,
        `Cannot call ${method}: timed out after ${timeout} ms`,
      );
      controller.abort(error);
      reject(error);
    }, timeout);
  });
  const context: RpcContext = {
    method,
    data: envelope.data,
    session: session.id,
    conn: session.conn,
    signal: controller.signal,
    state: {},
  };
  try {
    return await Promise.race([run(context), expired]);
  } finally {
    clearTimeout(timer);
    session.incoming.delete(controller);
  }
}

/** @internal Settles the server's pending request that a client `response` answers. */
export function _onResponse(
  session: _Session,
  envelope: Extract<ClientEnvelope, { type: "response" }>,
): void {
  if (typeof envelope.id !== "number") return;
  const pending = session.outgoing.get(envelope.id);
  if (pending === undefined) return; // Unknown or expired: ignored (PROTOCOL.md §3.6).
  session.outgoing.delete(envelope.id);
  clearTimeout(pending.timer);
  const { error } = envelope;
  if (error === undefined) return pending.resolve(envelope.data);
  pending.reject(new RpcError(error.code, error.message, { data: error.data }));
}

/** @internal Calls `method` on the client of session `id` (server → client request). */
export function _request(
  state: _RouterState,
  id: string,
  method: string,
  data: unknown,
  timeoutOption: number | undefined,
): Promise<unknown> {
  const target = state.sessions.get(id);
  if (target === undefined || target.plain) {
    state.deadLetter({ reason: "rpc_unavailable", session: id, method, data });
    return Promise.reject(
      new RpcError(ERROR_CODE.UNAVAILABLE, `Cannot call ${method}: session is not connected`),
    );
  }
  if (target.outgoing.size >= state.options.maxPendingRequests) {
    return Promise.reject(
      new RpcError(ERROR_CODE.LIMIT_EXCEEDED, `Cannot call ${method}: too many pending requests`),
    );
  }
  const timeout = Math.min(timeoutOption ?? state.options.rpcTimeout, 2 ** 31 - 1);
  const requestId = target.nextRequestId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.outgoing.delete(requestId);
      reject(new RpcError(ERROR_CODE.TIMEOUT, `Cannot call ${method}: timed out`));
    }, timeout);
    target.outgoing.set(requestId, { method, resolve, reject, timer });
    const envelope: ServerEnvelope = { type: "request", id: requestId, method, timeout };
    if (data !== undefined) envelope.data = data;
    const written = target.send(envelope);
    if (written === "sent") return;
    clearTimeout(timer);
    target.outgoing.delete(requestId);
    if (written === "refused") {
      state.deadLetter({ reason: "slow_consumer", session: id, type: "request" });
    }
    reject(new RpcError(ERROR_CODE.UNAVAILABLE, `Cannot call ${method}: connection refused it`));
  });
}

/** @internal Rejects the server's pending requests and cancels the client's, on disconnect. */
export function _cancelRequests(session: _Session): void {
  for (const controller of session.incoming) {
    controller.abort(
      new RpcError(ERROR_CODE.CANCELLED, "Cannot finish request: connection closed"),
    );
  }
  for (const [id, pending] of session.outgoing) {
    session.outgoing.delete(id);
    clearTimeout(pending.timer);
    pending.reject(
      new RpcError(ERROR_CODE.UNAVAILABLE, `Cannot call ${pending.method}: connection closed`),
    );
  }
}
