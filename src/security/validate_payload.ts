import type { StandardSchemaV1 } from "@standard-schema/spec";

/** A validation problem, as Standard Schema reports it. */
export interface PayloadIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where, as a path of keys. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/**
 * A payload schema: any Standard Schema validator (`StandardSchemaV1` from
 * `@standard-schema/spec`: Zod, Valibot, ArkType…), typed structurally.
 */
export interface PayloadSchema<Output = unknown> {
  /** The Standard Schema interface. */
  readonly "~standard": {
    /** Standard Schema version. */
    readonly version: 1;
    /** The validator library. */
    readonly vendor: string;
    /** Validates a value. */
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<PayloadIssue> }
      | Promise<
        | { readonly value: Output; readonly issues?: undefined }
        | { readonly issues: ReadonlyArray<PayloadIssue> }
      >;
  };
}

// Every Standard Schema validator is a PayloadSchema.
type _Assignable<T extends PayloadSchema<string>> = T;
type _StandardSchemaFits = _Assignable<StandardSchemaV1<unknown, string>>;

/** The outcome of {@linkcode validatePayload}. */
export type PayloadValidation<Output> =
  | { ok: true; value: Output }
  | { ok: false; issues: readonly PayloadIssue[] };

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
