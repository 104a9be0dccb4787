import type { Principal } from "../auth/principal.ts";
import type { AuditEventInit } from "./audit_log.ts";
import type { SecurityCounters } from "./security_counters.ts";

/** @internal How the parts of a `Security` policy report their decisions. */
export interface _Reporter {
  /** Adds one to a counter. */
  count(counter: keyof SecurityCounters): void;
  /** Records an audit event. */
  record(event: AuditEventInit): void;
  /** Records an audit event that also counts toward an auto-ban of its IP. */
  violation(event: AuditEventInit): void;
}

/** @internal The `subject` field of an audit event: present only when there is a subject. */
export function _subject(principal: Principal | undefined): { subject?: string } {
  return principal?.subject === undefined ? {} : { subject: principal.subject };
}
