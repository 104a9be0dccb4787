/** What a permission grants. `rpc` resources are method names; the others are topics. */
export type PermissionAction = "subscribe" | "publish" | "presence" | "rpc";

/** Permissions of one principal: pure, cheap to query on every envelope. */
export interface Permissions {
  /** The grants, as `"<action>:<pattern>"`. */
  readonly grants: readonly string[];
  /**
   * Whether `action` is allowed on `resource` (a topic, a topic pattern for `subscribe`, or an
   * RPC method). A pattern is allowed only if every topic it matches is.
   */
  can(action: PermissionAction, resource: string): boolean;
}

/**
 * Permissions from grants `"<action>:<pattern>"`: `action` is `subscribe`, `publish`,
 * `presence`, `rpc` or `*`; `pattern` uses topic syntax (dot-separated; `*` is one segment, a
 * final `>` one or more).
 *
 * @example
 * ```ts
 * import { createPermissions } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const perms = createPermissions(["subscribe:chat.>", "publish:chat.*.messages", "rpc:users.get"]);
 * assert.equal(perms.can("subscribe", "chat.*.typing"), true);
 * assert.equal(perms.can("publish", "chat.lobby.messages"), true);
 * assert.equal(perms.can("publish", "chat.lobby.admin"), false);
 * assert.equal(perms.can("rpc", "users.get"), true);
 * assert.equal(perms.can("rpc", "users.delete"), false);
 * ```
 */
export function createPermissions(grants: readonly string[]): Permissions {
  const parsed = grants.flatMap((grant) => {
    const colon = grant.indexOf(":");
    if (colon <= 0) return [];
    return [{ action: grant.slice(0, colon), pattern: grant.slice(colon + 1).split(".") }];
  });
  return {
    grants: [...grants],
    can(action, resource) {
      const requested = resource.split(".");
      return parsed.some((grant) =>
        (grant.action === action || grant.action === "*") && _covers(grant.pattern, requested)
      );
    },
  };
}

/** Where {@linkcode permissionsFromClaims} finds grants. */
export interface PermissionClaimOptions {
  /** Claim with an array of grants. @default {"permissions"} */
  claim?: string;
  /** Claim with space-separated grants (OAuth `scope`). @default {"scope"} */
  scopeClaim?: string;
}

/**
 * Permissions from a principal's claims: the grants in the `permissions` array claim and the
 * space-separated `scope` claim. Unknown shapes grant nothing.
 *
 * @example
 * ```ts
 * import { permissionsFromClaims } from "@aero/socket/security";
 * import assert from "node:assert/strict";
 *
 * const perms = permissionsFromClaims({ sub: "bob", scope: "subscribe:news.> presence:news.*" });
 * assert.equal(perms.can("subscribe", "news.sport"), true);
 * assert.equal(perms.can("publish", "news.sport"), false);
 * ```
 */
export function permissionsFromClaims(
  claims: Readonly<Record<string, unknown>>,
  options: PermissionClaimOptions = {},
): Permissions {
  const grants: string[] = [];
  const list = claims[options.claim ?? "permissions"];
  if (Array.isArray(list)) {
    for (const grant of list) if (typeof grant === "string") grants.push(grant);
  }
  const scope = claims[options.scopeClaim ?? "scope"];
  if (typeof scope === "string") grants.push(...scope.split(" ").filter((grant) => grant !== ""));
  return createPermissions(grants);
}

// Whether grant pattern `grant` covers every topic matched by `requested` (itself a name or a
// pattern): `>` covers one or more segments of anything, `*` covers one segment (also `*`).
function _covers(grant: readonly string[], requested: readonly string[]): boolean {
  for (let i = 0; i < grant.length; i++) {
    const g = grant[i];
    if (g === ">" && i === grant.length - 1) return requested.length > i;
    const r = requested[i];
    if (r === undefined || r === ">") return false;
    if (g === "*") continue;
    if (g !== r) return false;
  }
  return requested.length === grant.length;
}
