/**
 * Validation of the chat's untrusted input: message text, nicknames and room names. Text is
 * NFC-normalized, stripped of control and bidirectional-override characters and bounded; it is
 * only ever rendered with `textContent`.
 *
 * @module
 */

/** Longest chat message, in code points after normalization. */
export const MAX_TEXT_LENGTH = 500;
/** Longest nickname, in code points. */
export const MAX_NICK_LENGTH = 24;

// C0/C1 controls (including newlines and DEL), bidi embeddings, overrides and isolates, which
// could reorder the rest of the line (Trojan Source), and the BOM.
const _UNSAFE = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu;
const _NICK = /^[\p{L}\p{N}][\p{L}\p{N}_ .-]*$/u;
const _ROOM = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Outcome of a validation: the clean value or why it was refused. */
export type Checked = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Cleans a chat message: NFC, unsafe characters replaced by a space, whitespace runs collapsed,
 * trimmed; refused when empty or longer than {@linkcode MAX_TEXT_LENGTH}.
 *
 * @example
 * ```ts
 * import { sanitizeText } from "./sanitize.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sanitizeText("  he\u0301llo\u0007\nworld\u202E "), { ok: true, value: "héllo world" });
 * assert.equal(sanitizeText(" \u0000 ").ok, false);
 * ```
 */
export function sanitizeText(input: unknown): Checked {
  if (typeof input !== "string") return { ok: false, reason: "text must be a string" };
  // Bound the work before normalizing: NFC can grow a string only by a small factor.
  if (input.length > MAX_TEXT_LENGTH * 8) return { ok: false, reason: "text is too long" };
  const value = input.normalize("NFC").replace(_UNSAFE, " ").replace(/\s+/gu, " ").trim();
  if (value.length === 0) return { ok: false, reason: "text is empty" };
  if ([...value].length > MAX_TEXT_LENGTH) return { ok: false, reason: "text is too long" };
  return { ok: true, value };
}

/**
 * Validates a nickname: NFC, 1–{@linkcode MAX_NICK_LENGTH} letters, digits, `_`, `.`, `-` or
 * spaces, starting with a letter or digit.
 *
 * @example
 * ```ts
 * import { validateNick } from "./sanitize.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(validateNick(" Zoë "), { ok: true, value: "Zoë" });
 * assert.equal(validateNick("<script>").ok, false);
 * ```
 */
export function validateNick(input: unknown): Checked {
  if (typeof input !== "string" || input.length > MAX_NICK_LENGTH * 4) {
    return { ok: false, reason: "invalid nickname" };
  }
  const value = input.normalize("NFC").trim();
  if ([...value].length > MAX_NICK_LENGTH || !_NICK.test(value)) {
    return { ok: false, reason: "invalid nickname" };
  }
  return { ok: true, value };
}

/**
 * Validates a room name: 1–32 lowercase letters, digits or `-`.
 *
 * @example
 * ```ts
 * import { validateRoom } from "./sanitize.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(validateRoom("lobby").ok, true);
 * assert.equal(validateRoom("Lobby.x").ok, false);
 * ```
 */
export function validateRoom(input: unknown): Checked {
  return typeof input === "string" && _ROOM.test(input)
    ? { ok: true, value: input }
    : { ok: false, reason: "invalid room" };
}
