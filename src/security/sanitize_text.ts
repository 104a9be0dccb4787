/** Options for {@linkcode sanitizeText}. */
export interface SanitizeTextOptions {
  /** Unicode normalization form. `NFKC` also folds look-alike compatibility characters. @default {"NFC"} */
  form?: "NFC" | "NFKC";
  /** Keep `\n` and `\t`. @default {false} */
  allowNewlines?: boolean;
  /** Most UTF-16 code units kept (cut on a code point boundary). @default {Infinity} */
  maxLength?: number;
}

// C0/C1 controls (Cc), bidirectional overrides and isolates (Trojan Source, CVE-2021-42574),
// zero-width space, BOM, and line/paragraph separators.
const _UNSAFE = /[\p{Cc}\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF]/gu;
const _UNSAFE_KEEP_NEWLINES =
  /(?![\n\t])[\p{Cc}\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF]/gu;

/**
 * Makes text safe to show on other users' screens: lone surrogates become U+FFFD, the text is
 * normalized (NFC by default), and control characters, bidirectional overrides and invisible
 * separators are removed. Zero-width joiners stay (emoji sequences need them). It is not HTML
 * escaping: escape on output as usual.
 *
 * @example
 * ```ts
 * import { sanitizeText } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sanitizeText("Cafe\u0301"), "Café");
 * assert.equal(sanitizeText("admin\u202Egnp.exe\u0007"), "admingnp.exe");
 * assert.equal(sanitizeText("a\nb", { allowNewlines: true }), "a\nb");
 * assert.equal(sanitizeText("ｆｕｌｌ", { form: "NFKC" }), "full");
 * ```
 */
export function sanitizeText(text: string, options: SanitizeTextOptions = {}): string {
  const form = options.form ?? "NFC";
  if (form !== "NFC" && form !== "NFKC") {
    throw new TypeError(`Cannot sanitize text: unknown form ${String(form)}`);
  }
  const pattern = options.allowNewlines === true ? _UNSAFE_KEEP_NEWLINES : _UNSAFE;
  let result = text.toWellFormed().normalize(form).replace(pattern, "");
  const max = options.maxLength ?? Infinity;
  if (result.length > max) {
    let end = max;
    // Do not cut a surrogate pair in half.
    if (end > 0 && /[\uD800-\uDBFF]/.test(result[end - 1]!)) end--;
    result = result.slice(0, end);
  }
  return result;
}
