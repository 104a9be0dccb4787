/**
 * @internal Redis key and channel names of one broker namespace (its key prefix).
 *
 * - `<prefix>t:<topic>`: the topic's meta hash (`epoch`, latest `offset`, last stream `ms`);
 * - `<prefix>s:<topic>`: the topic's history stream;
 * - `<prefix>p:<topic>`: the topic's presence hash (session → member record);
 * - `<prefix>i:<instance>`: an instance's liveness key (expires without heartbeats);
 * - `<prefix>m:<instance>`: the set of an instance's members (`<topic>\n<session>`);
 * - `<prefix>instances`: the set of registered instances; `<prefix>seq`: join order counter;
 * - channel `<prefix>e:<segments> <topic>`: the topic's events (publications, presence).
 *
 * The segment count in the channel name makes a `*` pattern translate to an exact Redis glob:
 * topic segments hold no `.` or whitespace, so with the count fixed each glob `*` can only
 * match one whole segment.
 */
export class _Keys {
  constructor(readonly prefix: string) {}

  meta(topic: string): string {
    return `${this.prefix}t:${topic}`;
  }
  stream(topic: string): string {
    return `${this.prefix}s:${topic}`;
  }
  presence(topic: string): string {
    return `${this.prefix}p:${topic}`;
  }
  alive(instance: string): string {
    return `${this.prefix}i:${instance}`;
  }
  members(instance: string): string {
    return `${this.prefix}m:${instance}`;
  }
  get instances(): string {
    return `${this.prefix}instances`;
  }
  get sequence(): string {
    return `${this.prefix}seq`;
  }

  /** The channel carrying `topic`'s events. */
  channel(topic: string): string {
    return `${this.prefix}e:${topic.split(".").length} ${topic}`;
  }

  /**
   * The Redis glob covering the channels of the topics matching the wildcard `pattern`: exact
   * without `>`; with a final `>` (one or more segments) the count is left open, so a `*` before
   * it may match more than one segment there (the broker filters such events locally).
   */
  glob(pattern: string): string {
    const segments = pattern.split(".");
    const open = segments[segments.length - 1] === ">";
    const body = segments.map((s) => s === "*" || s === ">" ? "*" : _escapeGlob(s)).join(".");
    return `${_escapeGlob(this.prefix)}e:${open ? "*" : segments.length} ${body}`;
  }
}

function _escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, "\\$&");
}
