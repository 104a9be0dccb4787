/** @internal Open connections per IP, for the `connectionsPerIp` cap. */
export class _ConnectionCounts {
  readonly #counts = new Map<string, number>();

  /** Whether `ip` already has `max` connections or more. */
  full(ip: string, max: number): boolean {
    return (this.#counts.get(ip) ?? 0) >= max;
  }

  /** Counts one more connection of `ip`; the returned function (idempotent) uncounts it. */
  acquire(ip: string): () => void {
    const count = this.#counts.get(ip) ?? 0;
    this.#counts.set(ip, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#counts.get(ip) ?? 1) - 1;
      if (left <= 0) this.#counts.delete(ip);
      else this.#counts.set(ip, left);
    };
  }
}
