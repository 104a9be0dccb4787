/**
 * @internal Periodic keepalive checks with one interval timer per period, shared by every member
 * with that period: an idle connection holds a set entry, not a timer of its own. The timer of a
 * period is cleared when its last member leaves, so an idle process keeps none.
 */
export class _KeepaliveGroups<Member> {
  readonly #groups = new Map<number, _KeepaliveGroup<Member>>();
  readonly #check: (member: Member, now: number) => void;

  /** `check` runs for every member of a group each time its period elapses. */
  constructor(check: (member: Member, now: number) => void) {
    this.#check = check;
  }

  /** Checks `member` every `period` milliseconds from now on; pass the result to `leave`. */
  join(period: number, member: Member): _KeepaliveGroup<Member> {
    let group = this.#groups.get(period);
    if (group === undefined) {
      const members = new Set<Member>();
      const check = this.#check;
      const timer = setInterval(() => {
        const now = Date.now();
        for (const each of members) check(each, now);
      }, period);
      group = { period, members, timer };
      this.#groups.set(period, group);
    }
    group.members.add(member);
    return group;
  }

  /** Stops checking `member`; the group's timer stops with its last member. */
  leave(group: _KeepaliveGroup<Member>, member: Member): void {
    group.members.delete(member);
    if (group.members.size > 0) return;
    clearInterval(group.timer);
    if (this.#groups.get(group.period) === group) this.#groups.delete(group.period);
  }

  /** How many periods have a timer running. */
  get timers(): number {
    return this.#groups.size;
  }
}

/** @internal The members checked on one period's timer. */
export interface _KeepaliveGroup<Member> {
  readonly period: number;
  readonly members: Set<Member>;
  readonly timer: ReturnType<typeof setInterval>;
}
