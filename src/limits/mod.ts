/**
 * Rate limits and bans: token buckets (single and keyed), an auto-ban list, the trusted-proxy
 * client address, and an injectable clock.
 *
 * @module
 */
export * from "./clock.ts";
export * from "./token_bucket.ts";
export * from "./keyed_buckets.ts";
export * from "./ban_list.ts";
export * from "./client_ip.ts";
