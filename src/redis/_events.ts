import { decode, encode } from "cborg";
import type { BrokerEvent, BrokerMessage, PresenceMember } from "../messaging/mod.ts";

/**
 * @internal Payloads as they travel through Redis. Data and members are CBOR (RFC 8949), so
 * whatever a codec decoded (binary data included) round-trips; events are a few text header
 * lines followed by those bytes:
 *
 * - publication: `m\n<epoch>\n<offset>\n<ms>\n<topic>\n<data>`;
 * - presence: `j\n<event id>\n<topic>\n<member>` (joined), `l\n…` (left).
 */
export function _encodeData(data: unknown): Uint8Array {
  return encode(data);
}

/** @internal Encodes a member for the presence hash and events. */
export function _encodeMember(member: PresenceMember): Uint8Array {
  const stored: PresenceMember = { session: member.session };
  if (member.data !== undefined) stored.data = member.data;
  return encode(stored);
}

/** @internal Decodes stored member bytes. */
export function _decodeMember(bytes: Uint8Array): PresenceMember {
  return decode(bytes) as PresenceMember;
}

/** @internal Decodes one event payload received from a channel. */
export function _decodeEvent(payload: Uint8Array): BrokerEvent {
  const lines = payload[0] === 0x6d ? 5 : 3; // "m"
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < lines; i++) {
    const end = payload.indexOf(0x0a, start);
    if (end < 0) throw new TypeError("Cannot decode broker event: truncated header");
    fields.push(_text.decode(payload.subarray(start, end)));
    start = end + 1;
  }
  const body = payload.subarray(start);
  if (lines === 5) {
    const [, epoch, offset, time, topic] = fields as [string, string, string, string, string];
    const message: BrokerMessage = {
      topic,
      epoch,
      offset: Number(offset),
      data: decode(body),
      time: Number(time),
    };
    return { type: "message", message };
  }
  const type = fields[0] === "j" ? "joined" : "left";
  return { type, topic: fields[2]!, member: _decodeMember(body) };
}

/** @internal A history entry `[id, ["d", data]]` as a message of `topic` in `epoch`. */
export function _decodeEntry(topic: string, epoch: string, entry: unknown): BrokerMessage {
  const [id, fields] = entry as [Uint8Array, Uint8Array[]];
  // Stream ids are `<ms>-<offset>`: the message's time and offset.
  const [time, offset] = _text.decode(id).split("-") as [string, string];
  return { topic, epoch, offset: Number(offset), data: decode(fields[1]!), time: Number(time) };
}

const _text = new TextDecoder();
