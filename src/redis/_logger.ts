import { getLogger } from "@logtape/logtape";

const _logger = getLogger(["aero", "redis"]);

/**
 * @internal Logs an unexpected error of the Redis broker (a listener, a heartbeat, a
 * connection) under `["aero", "redis"]`: silent until the application configures LogTape.
 */
export function _logError(source: string, error: unknown): void {
  _logger.error("Unexpected error in {source}: {error}", { source, error });
}
