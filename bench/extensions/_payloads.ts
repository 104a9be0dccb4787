/**
 * JSON-like payloads for the compression benchmarks: chat/event records of about `size` bytes,
 * each message different (ids, counters) as real traffic is, sharing keys and vocabulary.
 *
 * @module
 */

const _WORDS = ["alpha", "delta", "update", "presence", "online", "typing", "room", "lobby", "ok"];

/** `count` distinct JSON texts of `size` bytes each, as UTF-8. */
export function jsonMessages(size: number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (let m = 0; m < count; m++) {
    const items = [];
    let text = "";
    for (let i = 0; text.length < size; i++) {
      items.push({
        id: m * 1000 + i,
        type: _WORDS[next() % _WORDS.length],
        user: { id: next() % 5000, name: `user_${next() % 300}` },
        ts: 1_700_000_000_000 + (next() % 100_000_000),
        text: `${_WORDS[next() % _WORDS.length]} ${_WORDS[next() % _WORDS.length]} ${next() % 997}`,
        seen: (next() & 1) === 1,
      });
      text = JSON.stringify({ topic: `room/${m % 8}`, items });
    }
    out.push(new TextEncoder().encode(text.slice(0, size)));
  }
  return out;
}
