import type { ClientEnvelope, EnvelopeId } from "../messaging/envelope.ts";
import { RpcError } from "../messaging/errors.ts";
import type { IncomingRequest } from "./call_options.ts";

type _Handler = (data: never, request: IncomingRequest) => unknown;

/**
 * @internal The handlers of the server's requests, one per method: answers each request with
 * its handler's result, an {@linkcode RpcError} it throws as is, any other error as `internal`,
 * and an unknown method with `method_not_found`.
 */
export class _RequestHandlers {
  readonly #handlers = new Map<string, _Handler>();

  /** Sets the handler of `method`; returns a function that removes it. */
  add(method: string, entry: _Handler): () => void {
    this.#handlers.set(method, entry);
    return () => {
      if (this.#handlers.get(method) === entry) this.#handlers.delete(method);
    };
  }

  /** Runs the handler of the request `envelope` and passes the response to `reply`. */
  async answer(
    envelope: Record<string, unknown>,
    reply: (response: ClientEnvelope) => void,
  ): Promise<void> {
    const id = envelope.id as EnvelopeId;
    const method = String(envelope.method);
    const handler = this.#handlers.get(method);
    const response: ClientEnvelope = { type: "response", id };
    if (handler === undefined) {
      response.error = {
        code: "method_not_found",
        message: `Cannot call ${method}: no such method`,
      };
    } else {
      const request: IncomingRequest = { method };
      if (typeof envelope.timeout === "number") request.timeout = envelope.timeout;
      try {
        const result = await handler(envelope.data as never, request);
        if (result !== undefined) response.data = result;
      } catch (error) {
        response.error = error instanceof RpcError
          ? error.toBody()
          : { code: "internal", message: `Cannot call ${method}: the handler failed` };
      }
    }
    reply(response);
  }
}
