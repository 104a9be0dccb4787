import type { ClientEnvelope, EnvelopeId } from "../messaging/envelope.ts";
import { type ErrorBody, RpcError } from "../messaging/errors.ts";
import type { _ResolvedClientOptions } from "./client_options.ts";
import type { _Loss } from "./_link.ts";

/**
 * @internal The client's session on the server across connections: the `connect` → `welcome`
 * handshake of each connection, the session id, and the resume token sent with the next
 * `connect`.
 */
export class _Session {
  readonly #options: _ResolvedClientOptions;
  readonly #nextId: () => number;
  #id: string | undefined;
  #resumed = false;
  #resumeToken: string | undefined;
  #connectId: EnvelopeId | undefined;
  #welcome: ((welcome: Record<string, unknown>) => void) | undefined;

  constructor(options: _ResolvedClientOptions, nextId: () => number) {
    this.#options = options;
    this.#nextId = nextId;
  }

  /** The session id the server assigned. */
  get id(): string | undefined {
    return this.#id;
  }

  /** Whether the server resumed the session on the last handshake. */
  get resumed(): boolean {
    return this.#resumed;
  }

  /** Sends `connect` and waits for `welcome`; resolves with the error when the server refuses. */
  async handshake(
    lost: Promise<_Loss>,
    signal: AbortSignal,
    write: (envelope: ClientEnvelope) => void,
  ): Promise<RpcError | undefined> {
    let data = this.#options.connectData;
    if (typeof data === "function") data = await data();
    const id = this.#connectId = this.#nextId();
    const envelope: ClientEnvelope = { type: "connect", id };
    if (this.#resumeToken !== undefined) envelope.resume = this.#resumeToken;
    if (data !== undefined) envelope.data = data;
    const answer = new Promise<Record<string, unknown>>((resolve) => (this.#welcome = resolve));
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    const closed = lost.then((loss) => {
      throw new Error(`Cannot connect: closed before welcome (${loss.code ?? "no code"})`);
    });
    write(envelope);
    const welcome = await Promise.race([answer, aborted, closed]);
    if (welcome.type === "error") {
      const error = welcome.error as ErrorBody | undefined;
      return new RpcError(String(error?.code), String(error?.message));
    }
    if (typeof welcome.session !== "string") throw new TypeError("Cannot connect: invalid welcome");
    this.#resumed = welcome.resumed === true;
    this.#id = welcome.session;
    if (typeof welcome.resume === "string") this.#resumeToken = welcome.resume;
    return undefined;
  }

  /** Takes the `welcome` of the handshake under way. */
  welcome(envelope: Record<string, unknown>): void {
    this.#welcome?.(envelope);
  }

  /** Takes an `error` answering the `connect` under way; `false` when it answers something else. */
  refused(id: EnvelopeId | undefined, error: ErrorBody): boolean {
    if (id !== undefined && id === this.#connectId && this.#welcome !== undefined) {
      this.#welcome({ type: "error", error });
      return true;
    }
    return false;
  }

  /** The connection attempt is over: no `welcome` is awaited any more. */
  settle(): void {
    this.#welcome = undefined;
  }
}
