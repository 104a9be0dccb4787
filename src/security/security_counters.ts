/** Counters of every security decision (plain integers, cheap to read for metrics). */
export interface SecurityCounters {
  /** Upgrades refused for a missing or invalid credential. */
  authFailures: number;
  /** Upgrades refused for their `Origin`. */
  originRejections: number;
  /** Upgrades refused by the CSRF check. */
  csrfRejections: number;
  /** Upgrades refused by the global rate limit. */
  globalLimited: number;
  /** Upgrades refused by the per-IP upgrade rate limit. */
  upgradesLimited: number;
  /** Upgrades refused by the per-IP connection cap. */
  connectionsLimited: number;
  /** Connections closed by the per-connection message limit. */
  messagesLimited: number;
  /** Connections closed by the per-connection byte limit. */
  bytesLimited: number;
  /** Publishes refused by the per-topic limit. */
  publishesLimited: number;
  /** Upgrades refused because the address is banned. */
  bannedRejections: number;
  /** Bans issued. */
  bans: number;
  /** Connections closed for a protocol error. */
  protocolViolations: number;
  /** Connections closed because their credential expired. */
  tokensExpired: number;
  /** Refreshes refused. */
  refreshFailures: number;
  /** Actions refused by permissions (reported through {@linkcode Security.denied}). */
  permissionDenials: number;
}
