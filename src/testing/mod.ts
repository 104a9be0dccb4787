/**
 * Helpers for testing code built on AeroSocket without sockets.
 *
 * @module
 */
export * from "./transport_pair.ts";
