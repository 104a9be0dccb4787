/**
 * The instrumentation scope name of every span and instrument of this library.
 *
 * @example
 * ```ts
 * import { TRACER_NAME } from "@aero/socket/observability";
 * import assert from "node:assert/strict";
 *
 * assert.equal(TRACER_NAME, "@aero/socket");
 * ```
 */
export const TRACER_NAME = "@aero/socket";
