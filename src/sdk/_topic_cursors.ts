import type { StreamPosition } from "../messaging/envelope.ts";

/** @internal What to do with a delivery. */
export type _Verdict =
  | { deliver: false }
  | { deliver: true; loss?: "gap" | "epoch" };

interface _Cursor extends StreamPosition {
  // A `recovered: false` answer announced that the replay may skip offsets.
  jumpAllowed: boolean;
}

/**
 * @internal The last position delivered per topic name: drops duplicates and replays of what
 * was already delivered, and notices skipped offsets and epoch changes.
 */
export class _TopicCursors {
  readonly #cursors = new Map<string, _Cursor>();

  /** The last delivered position of `topic`, if any. */
  get(topic: string): StreamPosition | undefined {
    const cursor = this.#cursors.get(topic);
    return cursor === undefined ? undefined : { epoch: cursor.epoch, offset: cursor.offset };
  }

  /** Judges a delivery and, when it is delivered, records it. */
  accept(topic: string, epoch: string, offset: number): _Verdict {
    const cursor = this.#cursors.get(topic);
    let verdict: _Verdict = { deliver: true };
    if (cursor !== undefined) {
      if (cursor.epoch === epoch) {
        if (offset <= cursor.offset) return { deliver: false };
        if (offset > cursor.offset + 1 && !cursor.jumpAllowed) {
          verdict = { deliver: true, loss: "gap" };
        }
      } else {
        verdict = { deliver: true, loss: "epoch" };
      }
    }
    this.#cursors.set(topic, { epoch, offset, jumpAllowed: false });
    return verdict;
  }

  /**
   * Applies a `subscribed` answer. Without `since` (a fresh subscription) the cursor moves to
   * the server's position unless deliveries already went past it. With `since`, returns how the
   * recovery went.
   */
  subscribed(
    topic: string,
    position: StreamPosition,
    recovered: boolean | undefined,
    resumed: boolean,
  ): "resumed" | "evicted" | "epoch" | undefined {
    const cursor = this.#cursors.get(topic);
    if (!resumed || cursor === undefined) {
      if (cursor === undefined || cursor.epoch !== position.epoch) {
        this.#cursors.set(topic, { ...position, jumpAllowed: false });
      }
      return undefined;
    }
    if (cursor.epoch !== position.epoch) {
      this.#cursors.set(topic, { ...position, jumpAllowed: false });
      return "epoch";
    }
    if (recovered === true) return "resumed";
    // Missed messages were evicted (the retained ones follow, with a jump), or the topic is
    // behind what we saw: restart from the server's position so new messages are not dropped.
    if (position.offset < cursor.offset) cursor.offset = position.offset;
    cursor.jumpAllowed = true;
    return "evicted";
  }

  /** Forgets every topic for which `keep` returns `false`. */
  retain(keep: (topic: string) => boolean): void {
    for (const topic of [...this.#cursors.keys()]) if (!keep(topic)) this.#cursors.delete(topic);
  }
}
