import type { StandardSchemaV1 } from "@standard-schema/spec";

/** A payload schema: any Standard Schema validator (Zod, Valibot, ArkType…). */
export type PayloadSchema<Output = unknown> = StandardSchemaV1<unknown, Output>;

/** The outcome of {@linkcode validatePayload}. */
export type PayloadValidation<Output> =
  | { ok: true; value: Output }
  | { ok: false; issues: readonly StandardSchemaV1.Issue[] };

/**
 * Validates an `aero.v1` payload (or any value) with a Standard Schema validator: the hook the
 * router calls before a handler sees a payload.
 *
 * @example With a hand-written Standard Schema
 * ```ts
 * import { type PayloadSchema, validatePayload } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const text: PayloadSchema<string> = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "example",
 *     validate: (value) =>
 *       typeof value === "string" ? { value } : { issues: [{ message: "expected a string" }] },
 *   },
 * };
 * assert.deepEqual(await validatePayload(text, "hi"), { ok: true, value: "hi" });
 * const bad = await validatePayload(text, 42);
 * assert.equal(bad.ok, false);
 * ```
 */
export async function validatePayload<Output>(
  schema: PayloadSchema<Output>,
  value: unknown,
): Promise<PayloadValidation<Output>> {
  const result = await schema["~standard"].validate(value);
  if (result.issues !== undefined) return { ok: false, issues: result.issues };
  return { ok: true, value: result.value };
}
