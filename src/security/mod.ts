/**
 * Security for AeroSocket servers: authentication before the upgrade (JWT, API keys, custom),
 * Origin and CSRF checks, permissions, rate limits, auto-ban, input hygiene and an audit log.
 * Pass a {@linkcode Security} as the `security` option of `serve()` or `upgrade()`.
 * See `docs/SECURITY.md`.
 *
 * @module
 */
export * from "../auth/mod.ts";
export * from "../limits/mod.ts";
export * from "./audit_log.ts";
export * from "./sanitize_text.ts";
export * from "./validate_payload.ts";
export * from "./session.ts";
export * from "./security_options.ts";
export * from "./security.ts";
export * from "./security_counters.ts";
