import type { WebSocketConnection } from "../connection/websocket_connection.ts";
import type { Codec } from "./codec.ts";
import type { EnvelopeId, ServerEnvelope } from "./envelope.ts";
import type { RpcError } from "./errors.ts";
import type { _Run } from "./_received.ts";
import { _prepare, type _Prepared, _write, type _WriteResult } from "./_prepared.ts";

/** @internal A delivery held while the session sets up subscriptions. */
export interface _Held {
  type: string;
  topic: string;
  offset: number | undefined;
  /** Epoch of a `message` delivery. */
  epoch: string | undefined;
  prepared: _Prepared;
}

/** @internal A request the server sent to the client. */
export interface _Outgoing {
  method: string;
  resolve: (data: unknown) => void;
  reject: (error: RpcError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** @internal The router's state for one `aero.v1` connection. */
export class _Session {
  readonly conn: WebSocketConnection;
  readonly codec: Codec;
  id = "";
  connected = false;
  /** A plain (non-`aero`) connection: it receives bare message data and nothing else. */
  plain = false;
  closed = false;
  errors = 0;
  readonly subscriptions = new Set<string>();
  readonly presence = new Set<string>();
  /** Abort controllers of the client's requests being handled. */
  readonly incoming = new Set<AbortController>();
  readonly outgoing = new Map<number, _Outgoing>();
  nextRequestId = 1;
  /** Subscribe operations in progress; deliveries are held while it is above 0. */
  holding = 0;
  held: _Held[] = [];
  /** Pattern subscriptions among `subscriptions`. */
  patterns = 0;
  /** Offsets received per topic while `patterns` is above 0 (see `_received.ts`). */
  readonly received = new Map<string, _Run>();
  /** Whether `received` forgot a topic because of its bound. */
  receivedOverflow = false;
  /** Latest offset covered by recovered history, per topic, for the current hold. */
  readonly covered = new Map<string, number>();

  constructor(conn: WebSocketConnection, codec: Codec) {
    this.conn = conn;
    this.codec = codec;
  }

  /** Encodes and sends one envelope to this session alone. */
  send(envelope: ServerEnvelope): _WriteResult {
    return _write(this.conn, _prepare(this.codec, envelope));
  }

  /** Sends an `error` envelope. */
  sendError(id: EnvelopeId | undefined, code: string, message: string): void {
    const envelope: ServerEnvelope = { type: "error", error: { code, message } };
    if (id !== undefined) envelope.id = id;
    this.send(envelope);
  }
}
