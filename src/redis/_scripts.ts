import { Buffer } from "node:buffer";
import type { RedisArgument } from "redis";

/** @internal Sends one command; replies keep binary strings as bytes. */
export type _Send = (args: RedisArgument[]) => Promise<unknown>;

/**
 * @internal A Lua script run with `EVALSHA`, loaded with `EVAL` when the server does not know
 * it yet (first use, or after a restart or `SCRIPT FLUSH`). Scripts run atomically: that is
 * what keeps offsets, history and events of a topic in one order across instances.
 */
export class _Script {
  readonly #source: string;
  readonly #sha: Promise<string>;

  constructor(source: string) {
    this.#source = source;
    this.#sha = crypto.subtle.digest("SHA-1", new TextEncoder().encode(source)).then((digest) =>
      Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")
    );
  }

  async run(send: _Send, keys: string[], args: (string | Uint8Array)[]): Promise<unknown> {
    // The client takes strings and Buffers only: wrap bytes without copying.
    const tail: RedisArgument[] = [String(keys.length), ...keys];
    for (const arg of args) {
      tail.push(
        typeof arg === "string" || Buffer.isBuffer(arg)
          ? arg
          : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength),
      );
    }
    try {
      return await send(["EVALSHA", await this.#sha, ...tail]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
      return await send(["EVAL", this.#source, ...tail]);
    }
  }
}

// The broker clock: the caller's `now` when given, else the Redis server's (one clock for
// every instance, so history ages agree).
const _CLOCK = `
local function clock(arg)
  local now = tonumber(arg)
  if now then return now end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

// A topic whose meta hash is gone (never used, expired, or lost) starts a new epoch: its old
// stream, if any, belongs to the lost sequence and is dropped.
const _TOPIC = `
local function topic(meta, stream, fresh, ttl)
  local epoch = redis.call('HGET', meta, 'epoch')
  if not epoch then
    epoch = fresh
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', epoch, 'offset', 0, 'ms', 0)
  end
  if ttl > 0 then
    redis.call('PEXPIRE', meta, ttl)
    redis.call('PEXPIRE', stream, ttl)
  end
  return epoch
end
`;

/**
 * @internal Assigns the next offset, appends to the stream (id `<ms>-<offset>`, trimmed to
 * `maxHistory` entries and `historyTtl` age) and publishes the event, in one step.
 * KEYS: meta, stream. ARGV: fresh epoch, data, maxHistory, historyTtl, topicTtl, now, channel,
 * topic. Returns `{epoch, offset, ms, receivers}`.
 */
export const _PUBLISH = new _Script(`${_CLOCK}${_TOPIC}
local now = clock(ARGV[6])
local epoch = topic(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[5]))
local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
local last = tonumber(redis.call('HGET', KEYS[1], 'ms'))
if now < last then now = last end
redis.call('HSET', KEYS[1], 'ms', now)
local max = tonumber(ARGV[3])
if max > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', max, string.format('%d-%d', now, offset), 'd', ARGV[2])
  redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', now - tonumber(ARGV[4]) + 1))
  if tonumber(ARGV[5]) > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
end
local event = 'm\\n' .. epoch .. '\\n' .. offset .. '\\n' .. string.format('%d', now) .. '\\n'
local receivers = redis.call('PUBLISH', ARGV[7], event .. ARGV[8] .. '\\n' .. ARGV[2])
return {epoch, offset, now, receivers}
`);

/**
 * @internal Reads a topic's position and the newest `count` retained entries (newest first).
 * KEYS: meta, stream. ARGV: fresh epoch, historyTtl, topicTtl, now, since epoch, since offset
 * (-1: no `since`), limit (-1: none). Returns `{epoch, offset, entries}`.
 */
export const _HISTORY = new _Script(`${_CLOCK}${_TOPIC}
local now = clock(ARGV[4])
local epoch = topic(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[3]))
local latest = tonumber(redis.call('HGET', KEYS[1], 'offset'))
local since = tonumber(ARGV[6])
local count = tonumber(ARGV[7])
if since >= 0 then
  if ARGV[5] ~= epoch or since > latest then return {epoch, latest, {}} end
  if count < 0 or latest - since < count then count = latest - since end
end
if count == 0 then return {epoch, latest, {}} end
local min = string.format('%d', math.max(0, now - tonumber(ARGV[2]) + 1))
if count < 0 then return {epoch, latest, redis.call('XREVRANGE', KEYS[2], '+', min)} end
return {epoch, latest, redis.call('XREVRANGE', KEYS[2], '+', min, 'COUNT', count)}
`);

// A member record: `<join order>\n<owner instance>\n<member bytes>`.
const _OWNER = `
local function owner(record)
  local a = string.find(record, '\\n', 1, true)
  local b = string.find(record, '\\n', a + 1, true)
  return string.sub(record, a + 1, b - 1), string.sub(record, b + 1), string.sub(record, 1, a - 1)
end
`;

/**
 * @internal Adds or updates a member; publishes `joined` when it is new.
 * KEYS: presence hash, own members set, join counter. ARGV: session, member bytes, instance,
 * channel, topic, event id, entry, key prefix. Returns 1 when new.
 */
export const _JOIN = new _Script(`${_OWNER}
local old = redis.call('HGET', KEYS[1], ARGV[1])
local seq
if old then
  local previous, _, order = owner(old)
  seq = order
  if previous ~= ARGV[3] then redis.call('SREM', ARGV[8] .. 'm:' .. previous, ARGV[7]) end
else
  seq = redis.call('INCR', KEYS[3])
end
redis.call('HSET', KEYS[1], ARGV[1], seq .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[2])
redis.call('SADD', KEYS[2], ARGV[7])
if old then return 0 end
redis.call('PUBLISH', ARGV[4], 'j\\n' .. ARGV[6] .. '\\n' .. ARGV[5] .. '\\n' .. ARGV[2])
return 1
`);

/**
 * @internal Removes a member (only when `owner` owns it, if given); publishes `left`.
 * KEYS: presence hash. ARGV: session, channel, topic, event id, entry, key prefix, owner or ''.
 * Returns 1 when it was present.
 */
export const _LEAVE = new _Script(`${_OWNER}
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
local id, member = owner(old)
if ARGV[7] ~= '' and ARGV[7] ~= id then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', ARGV[6] .. 'm:' .. id, ARGV[5])
redis.call('PUBLISH', ARGV[2], 'l\\n' .. ARGV[4] .. '\\n' .. ARGV[3] .. '\\n' .. member)
return 1
`);

/**
 * @internal Renews an instance's liveness, then removes the members of every registered
 * instance whose liveness expired (publishing `left` for each).
 * KEYS: own liveness key, instances set. ARGV: instance, ttl, key prefix, event id prefix.
 * Returns `{1 when the liveness key still existed, members removed}`.
 */
export const _HEARTBEAT = new _Script(`${_OWNER}
local existed = redis.call('SET', KEYS[1], '1', 'PX', ARGV[2], 'GET')
redis.call('SADD', KEYS[2], ARGV[1])
local removed = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[3] .. 'i:' .. id) == 0 then
    local set = ARGV[3] .. 'm:' .. id
    for _, entry in ipairs(redis.call('SMEMBERS', set)) do
      local nl = string.find(entry, '\\n', 1, true)
      local topic = string.sub(entry, 1, nl - 1)
      local session = string.sub(entry, nl + 1)
      local hash = ARGV[3] .. 'p:' .. topic
      local old = redis.call('HGET', hash, session)
      if old then
        local current, member = owner(old)
        if current == id then
          redis.call('HDEL', hash, session)
          local _, dots = string.gsub(topic, '%.', '')
          local channel = ARGV[3] .. 'e:' .. (dots + 1) .. ' ' .. topic
          removed = removed + 1
          local event = ARGV[4] .. ':' .. removed
          redis.call('PUBLISH', channel, 'l\\n' .. event .. '\\n' .. topic .. '\\n' .. member)
        end
      end
    end
    redis.call('DEL', set)
    redis.call('SREM', KEYS[2], id)
  end
end
return {existed and 1 or 0, removed}
`);
