/**
 * Authentication and authorization: authenticators (JWT, API keys, custom), token sources,
 * Origin and CSRF checks, permissions, and constant-time comparison.
 *
 * @module
 */
export * from "./principal.ts";
export * from "./constant_time_equal.ts";
export * from "./jwt_authenticator.ts";
export * from "./api_key_authenticator.ts";
export * from "./token_source.ts";
export * from "./origin_policy.ts";
export * from "./csrf_check.ts";
export * from "./permissions.ts";
