import { getLogger } from "@logtape/logtape";

/**
 * @internal The messaging layer's logger, category `["aero", "messaging"]`: silent until the
 * application configures LogTape with a sink for it.
 */
export const _logger = getLogger(["aero", "messaging"]);

/** @internal Logs an unexpected error of a handler, hook or listener, with its `source`. */
export function _logError(source: string, error: unknown): void {
  _logger.error("Unexpected error in {source}: {error}", { source, error });
}
