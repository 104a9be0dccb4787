import type { PresenceMember } from "../messaging/envelope.ts";
import type { _Keys } from "./_keys.ts";
import { _decodeMember, _encodeMember } from "./_events.ts";
import { _HEARTBEAT, _JOIN, _LEAVE, type _Send } from "./_scripts.ts";

/**
 * @internal One instance's presence: members live in a hash per topic, each record naming the
 * instance that owns it. The instance renews a liveness key every `ttl / 3`; every heartbeat
 * also sweeps the members of instances whose liveness key expired (a crash, a partition), so
 * they leave (with `left` events) within about `ttl` plus one heartbeat.
 */
export class _Presence {
  /** Members this instance joined, by topic: what it re-joins if it was swept while alive. */
  readonly #own = new Map<string, Map<string, PresenceMember>>();
  readonly #timer: ReturnType<typeof setInterval>;
  #beating: Promise<void> = Promise.resolve();
  #events = 0;

  constructor(
    readonly send: _Send,
    readonly keys: _Keys,
    readonly instance: string,
    readonly ttl: number,
    readonly onError: (error: unknown) => void,
  ) {
    // Chained, so a slow heartbeat never overlaps the next one.
    this.#timer = setInterval(() => {
      this.#beating = this.#beating.then(() => this.heartbeat()).catch(onError);
    }, Math.max(1, Math.floor(ttl / 3)));
  }

  /** Renews liveness and sweeps expired instances; re-joins our members if we were swept. */
  async heartbeat(): Promise<void> {
    const keys = [this.keys.alive(this.instance), this.keys.instances];
    const args = [this.instance, String(this.ttl), this.keys.prefix, this.#eventId()];
    const [existed] = await _HEARTBEAT.run(this.send, keys, args) as [number, number];
    if (existed === 1) return;
    for (const [topic, members] of this.#own) {
      for (const member of members.values()) await this.#join(topic, member);
    }
  }

  join(topic: string, member: PresenceMember): Promise<boolean> {
    let members = this.#own.get(topic);
    if (members === undefined) this.#own.set(topic, members = new Map());
    members.set(member.session, member);
    return this.#join(topic, member);
  }

  leave(topic: string, session: string, owned = false): Promise<boolean> {
    const members = this.#own.get(topic);
    if (members?.delete(session) && members.size === 0) this.#own.delete(topic);
    const args = [
      session,
      this.keys.channel(topic),
      topic,
      this.#eventId(),
      `${topic}\n${session}`,
      this.keys.prefix,
      owned ? this.instance : "",
    ];
    return _LEAVE.run(this.send, [this.keys.presence(topic)], args).then((n) => n === 1);
  }

  async members(topic: string): Promise<PresenceMember[]> {
    const flat = await this.send(["HGETALL", this.keys.presence(topic)]);
    const records = _pairs(flat).map((record) => {
      const first = record.indexOf(0x0a);
      const second = record.indexOf(0x0a, first + 1);
      const order = Number(new TextDecoder().decode(record.subarray(0, first)));
      return { order, member: _decodeMember(record.subarray(second + 1)) };
    });
    return records.sort((a, b) => a.order - b.order).map((r) => r.member);
  }

  /** Stops heartbeats, removes our members (with `left` events) and our registration. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    for (const [topic, members] of [...this.#own]) {
      for (const session of [...members.keys()]) {
        await this.leave(topic, session, true).catch(this.onError);
      }
    }
    await this.send(["DEL", this.keys.alive(this.instance), this.keys.members(this.instance)]);
    await this.send(["SREM", this.keys.instances, this.instance]);
  }

  #join(topic: string, member: PresenceMember): Promise<boolean> {
    const keys = [
      this.keys.presence(topic),
      this.keys.members(this.instance),
      this.keys.sequence,
    ];
    const args = [
      member.session,
      _encodeMember(member),
      this.instance,
      this.keys.channel(topic),
      topic,
      this.#eventId(),
      `${topic}\n${member.session}`,
      this.keys.prefix,
    ];
    return _JOIN.run(this.send, keys, args).then((n) => n === 1);
  }

  #eventId(): string {
    return `${this.instance}.${++this.#events}`;
  }
}

// HGETALL's flat `[field, value, …]` reply (or a map, under RESP3): the values.
function _pairs(reply: unknown): Uint8Array[] {
  if (Array.isArray(reply)) return reply.filter((_, i) => i % 2 === 1) as Uint8Array[];
  if (reply instanceof Map) return [...reply.values()] as Uint8Array[];
  return Object.values(reply as Record<string, Uint8Array>);
}
