/**
 * The chat's API, described once for the typed client (`AeroClient<ChatSchema>`) and used by
 * the server's handlers.
 *
 * @module
 */
import type { ClientSchema } from "../../src/sdk/mod.ts";

/** A chat message as delivered on `chat.<room>`. */
export interface ChatMessage {
  /** The sender's validated nickname. */
  nick: string;
  /** Sanitized text. */
  text: string;
  /** Server time (ms since the epoch). */
  at: number;
}

/** A message from history, with its offset in the room's topic. */
export interface HistoryEntry extends ChatMessage {
  /** Offset in the room's topic. */
  offset: number;
}

/** Topics, methods and presence data of the chat. */
export interface ChatSchema extends ClientSchema {
  topics: {
    [room: `chat.${string}`]: ChatMessage;
    [room: `typing.${string}`]: { nick: string };
  };
  methods: {
    "chat.enter": { params: { room: string }; result: null };
    "chat.leave": { params: { room: string }; result: null };
    "chat.send": { params: { room: string; text: string }; result: { offset: number } };
    "chat.typing": { params: { room: string }; result: null };
    "chat.history": {
      params: { room: string };
      result: { epoch: string; messages: HistoryEntry[] };
    };
  };
  presence: { nick: string };
}
