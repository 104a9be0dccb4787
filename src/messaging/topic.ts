/** Longest topic name or pattern, in UTF-16 code units. */
export const MAX_TOPIC_LENGTH = 256;

// A segment: 1+ characters, none of `.`, `*`, `>`, whitespace or control characters.
const _SEGMENT = /^[^.*>\s\p{Cc}]+$/u;

/**
 * Whether `name` is a valid topic name: dot-separated, non-empty segments without `*`, `>`,
 * whitespace or control characters, at most {@linkcode MAX_TOPIC_LENGTH} long.
 *
 * @example
 * ```ts
 * import { isTopicName } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isTopicName("chat.room-1"), true);
 * assert.equal(isTopicName("chat.*"), false);
 * assert.equal(isTopicName("chat..x"), false);
 * ```
 */
export function isTopicName(name: unknown): name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_TOPIC_LENGTH) {
    return false;
  }
  for (const segment of name.split(".")) if (!_SEGMENT.test(segment)) return false;
  return true;
}

/**
 * Whether `pattern` is a valid subscription: a topic name, or a pattern in which a segment `*`
 * matches exactly one segment and a final segment `>` matches one or more segments.
 *
 * @example
 * ```ts
 * import { isTopicPattern } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isTopicPattern("chat.*.typing"), true);
 * assert.equal(isTopicPattern("chat.>"), true);
 * assert.equal(isTopicPattern("chat.>.x"), false);
 * assert.equal(isTopicPattern("chat.a*"), false);
 * ```
 */
export function isTopicPattern(pattern: unknown): pattern is string {
  if (typeof pattern !== "string" || pattern.length === 0 || pattern.length > MAX_TOPIC_LENGTH) {
    return false;
  }
  const segments = pattern.split(".");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === "*") continue;
    if (segment === ">" && i === segments.length - 1) continue;
    if (!_SEGMENT.test(segment)) return false;
  }
  return true;
}

/**
 * Whether a valid subscription contains a wildcard segment.
 *
 * @example
 * ```ts
 * import { hasWildcard } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.equal(hasWildcard("a.*"), true);
 * assert.equal(hasWildcard("a.b"), false);
 * ```
 */
export function hasWildcard(pattern: string): boolean {
  return pattern === "*" || pattern === ">" || pattern.startsWith("*.") ||
    pattern.includes(".*") || pattern.endsWith(".>");
}

/**
 * Whether the topic name `topic` matches the subscription `pattern` (a name or a pattern).
 *
 * @example
 * ```ts
 * import { matchTopic } from "@aero/socket/messaging";
 * import assert from "node:assert/strict";
 *
 * assert.equal(matchTopic("chat.*", "chat.lobby"), true);
 * assert.equal(matchTopic("chat.*", "chat.lobby.typing"), false);
 * assert.equal(matchTopic("chat.>", "chat.lobby.typing"), true);
 * assert.equal(matchTopic("chat.>", "chat"), false);
 * ```
 */
export function matchTopic(pattern: string, topic: string): boolean {
  if (pattern === topic) return true;
  const p = pattern.split(".");
  const t = topic.split(".");
  for (let i = 0; i < p.length; i++) {
    const segment = p[i]!;
    if (segment === ">") return t.length > i;
    if (i >= t.length) return false;
    if (segment !== "*" && segment !== t[i]) return false;
  }
  return p.length === t.length;
}
