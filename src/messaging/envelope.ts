import type { ErrorBody } from "./errors.ts";

/** A correlation id: a string of 1–64 characters or a safe non-negative integer. */
export type EnvelopeId = string | number;

/** A position in a topic's history: the epoch and the offset of a message (0: none yet). */
export interface StreamPosition {
  /** Names one continuous offset sequence of the topic. */
  epoch: string;
  /** Offset of a message within the epoch; 0 means before the first message. */
  offset: number;
}

/**
 * W3C trace context carried in the `trace` field of `request` and `publish` envelopes: the
 * values of the `traceparent` and `tracestate` headers of the W3C Trace Context specification.
 */
export interface EnvelopeTrace {
  /** `version-traceid-parentid-flags`, at most 256 characters. */
  traceparent: string;
  /** Vendor-specific trace state, at most 512 characters. */
  tracestate?: string;
}

/** `connect` (client → server): the first envelope of every connection. */
export interface ConnectEnvelope {
  /** Envelope type. */
  type: "connect";
  /** Correlation id. */
  id?: EnvelopeId;
  /** A resume token from an earlier `welcome`. */
  resume?: string;
  /** Application data for the connect hook (credentials, …). */
  data?: unknown;
}

/** `subscribe` (client → server). */
export interface SubscribeEnvelope {
  /** Envelope type. */
  type: "subscribe";
  /** Correlation id. */
  id: EnvelopeId;
  /** Topic name or pattern. */
  topic: string;
  /** Recover the messages after this position (topic names only). */
  since?: StreamPosition;
}

/** `unsubscribe` (client → server). */
export interface UnsubscribeEnvelope {
  /** Envelope type. */
  type: "unsubscribe";
  /** Correlation id. */
  id: EnvelopeId;
  /** Topic name (or pattern, for `subscribe`). */
  topic: string;
}

/** `publish` (client → server). */
export interface PublishEnvelope {
  /** Envelope type. */
  type: "publish";
  /** Correlation id. */
  id?: EnvelopeId;
  /** Topic name (or pattern, for `subscribe`). */
  topic: string;
  /** Application payload. */
  data?: unknown;
  /** Answer with `ack` (requires `id`). */
  ack?: boolean;
  /** Fail with `no_subscribers` when no subscription matches. */
  required?: boolean;
  /** The publisher's trace context. */
  trace?: EnvelopeTrace;
}

/** `request` (both directions): calls `method` on the peer. */
export interface RequestEnvelope {
  /** Envelope type. */
  type: "request";
  /** Correlation id. */
  id: EnvelopeId;
  /** Method name. */
  method: string;
  /** Application payload. */
  data?: unknown;
  /** Milliseconds the caller waits. */
  timeout?: number;
  /** The caller's trace context. */
  trace?: EnvelopeTrace;
}

/** `response` (both directions): answers the `request` with the same `id`. */
export interface ResponseEnvelope {
  /** Envelope type. */
  type: "response";
  /** Correlation id. */
  id: EnvelopeId;
  /** Application payload. */
  data?: unknown;
  /** Structured error; `data` is absent when present. */
  error?: ErrorBody;
}

/** `join` (client → server): enters presence in a topic. */
export interface JoinEnvelope {
  /** Envelope type. */
  type: "join";
  /** Correlation id. */
  id: EnvelopeId;
  /** Topic name (or pattern, for `subscribe`). */
  topic: string;
  /** Application payload. */
  data?: unknown;
}

/** `leave` (client → server): leaves presence in a topic. */
export interface LeaveEnvelope {
  /** Envelope type. */
  type: "leave";
  /** Correlation id. */
  id: EnvelopeId;
  /** Topic name (or pattern, for `subscribe`). */
  topic: string;
}

/** `presence` (client → server): lists the members present in a topic. */
export interface PresenceQueryEnvelope {
  /** Envelope type. */
  type: "presence";
  /** Correlation id. */
  id: EnvelopeId;
  /** Topic name (or pattern, for `subscribe`). */
  topic: string;
}

/** `refresh` (client → server): replaces the connection's credential before it expires. */
export interface RefreshEnvelope {
  /** Envelope type. */
  type: "refresh";
  /** Correlation id. */
  id: EnvelopeId;
  /** The new token, 1–8,192 characters. */
  token: string;
}

/** Every envelope a client may send. */
export type ClientEnvelope =
  | ConnectEnvelope
  | SubscribeEnvelope
  | UnsubscribeEnvelope
  | PublishEnvelope
  | RequestEnvelope
  | ResponseEnvelope
  | JoinEnvelope
  | LeaveEnvelope
  | PresenceQueryEnvelope
  | RefreshEnvelope;

/** A member present in a topic. */
export interface PresenceMember {
  /** Session id of the member's connection. */
  session: string;
  /** Data given when joining, if any. */
  data?: unknown;
}

/** Every envelope a server may send. */
export type ServerEnvelope =
  | {
    type: "welcome";
    id?: EnvelopeId;
    session: string;
    resume: string;
    resumed: boolean;
    data?: unknown;
  }
  | {
    type: "subscribed";
    id: EnvelopeId;
    topic: string;
    epoch?: string;
    offset?: number;
    recovered?: boolean;
  }
  | { type: "ok"; id: EnvelopeId }
  | { type: "ack"; id: EnvelopeId; topic: string; epoch: string; offset: number }
  | { type: "message"; topic: string; epoch: string; offset: number; data: unknown }
  | RequestEnvelope
  | ResponseEnvelope
  | { type: "presence"; id: EnvelopeId; topic: string; members: PresenceMember[] }
  | { type: "joined" | "left"; topic: string; member: PresenceMember }
  | { type: "error"; id?: EnvelopeId; error: ErrorBody };
