/**
 * How an application describes its `aero.v1` API once, to get typed payloads everywhere:
 * `topics` maps topic names (template literal types work: `` [room: `chat.${string}`] ``) to
 * payloads, `methods` the server's RPC methods the client calls, `handlers` the methods the
 * server calls on the client, `presence` the data members join with. Every part is optional;
 * a missing part is untyped (`unknown` payloads, any name).
 *
 * @example
 * ```ts
 * import type { ClientSchema, MethodParams, MethodResult, TopicData } from "@aero/socket/sdk";
 * import assert from "node:assert/strict";
 *
 * interface Chat extends ClientSchema {
 *   topics: { [room: `chat.${string}`]: { text: string } };
 *   methods: { "room.history": { params: { room: string }; result: { text: string }[] } };
 * }
 * const message: TopicData<Chat, "chat.lobby"> = { text: "hi" };
 * const params: MethodParams<Chat, "room.history"> = { room: "lobby" };
 * const result: MethodResult<Chat, "room.history"> = [message];
 * assert.equal(result[0]?.text, "hi");
 * assert.equal(params.room, "lobby");
 * ```
 */
export interface ClientSchema {
  /** Topic name (or template literal pattern) → payload type. */
  topics?: object;
  /** Server methods: name → `{ params, result }`. */
  methods?: object;
  /** Client methods the server may call: name → `{ params, result }`. */
  handlers?: object;
  /** The data a member joins presence with. */
  presence?: unknown;
}

/** The shape of one RPC method in a {@linkcode ClientSchema}. */
export interface MethodSpec<Params = unknown, Result = unknown> {
  /** What the caller sends. */
  params: Params;
  /** What the callee answers. */
  result: Result;
}

/** Topic names a schema allows (`string` when it declares no topics). */
export type TopicOf<S extends ClientSchema> = S extends { topics: infer T } ? keyof T & string
  : string;

/** The payload of topic `K` in schema `S` (`unknown` when it declares no topics). */
export type TopicData<S extends ClientSchema, K extends string> = S extends { topics: infer T }
  ? K extends keyof T ? T[K] : never
  : unknown;

/** Method names of the server a schema allows (`string` when it declares none). */
export type MethodOf<S extends ClientSchema> = S extends { methods: infer M } ? keyof M & string
  : string;

/** Parameters of server method `M`. */
export type MethodParams<S extends ClientSchema, M extends string> = S extends { methods: infer X }
  ? M extends keyof X ? X[M] extends { params: infer P } ? P : never : never
  : unknown;

/** Result of server method `M`. */
export type MethodResult<S extends ClientSchema, M extends string> = S extends { methods: infer X }
  ? M extends keyof X ? X[M] extends { result: infer R } ? R : never : never
  : unknown;

/** Method names the client handles (`string` when the schema declares none). */
export type HandlerOf<S extends ClientSchema> = S extends { handlers: infer H } ? keyof H & string
  : string;

/** Parameters of client method `M`. */
export type HandlerParams<S extends ClientSchema, M extends string> = S extends
  { handlers: infer X } ? M extends keyof X ? X[M] extends { params: infer P } ? P : never : never
  : unknown;

/** Result of client method `M`. */
export type HandlerResult<S extends ClientSchema, M extends string> = S extends
  { handlers: infer X } ? M extends keyof X ? X[M] extends { result: infer R } ? R : never : never
  : unknown;

/** The presence data of schema `S` (`unknown` when it declares none). */
export type PresenceData<S extends ClientSchema> = S extends { presence: infer P } ? P : unknown;
