/**
 * A sequence of shared encoded frames queued on a connection by fan-out, as one node of a tree
 * that every connection shares: connections sent the same frames in the same order point at the
 * same node, so the frames are joined into one buffer once for all of them (at most one copy
 * per distinct sequence instead of one per connection and frame), and each connection writes
 * that buffer in a single transport write.
 *
 * The first frame of a run is looked up in a `WeakMap` keyed by the frame itself, so the tree
 * goes away with the frames; deeper nodes hang off their parent.
 */
export class _FrameRun {
  /** The run without its last frame, `null` for a run of one frame. */
  readonly parent: _FrameRun | null;
  /** The last frame of the run (shared, never modified). */
  readonly frame: Uint8Array;
  /** Bytes in the whole run. */
  readonly size: number;
  #joined: Uint8Array | undefined;
  // Most runs are followed by one frame only (every subscriber got the same next publication):
  // that child is kept in fields, others in a small map.
  #nextFrame: Uint8Array | undefined;
  #next: _FrameRun | undefined;
  #more: Map<Uint8Array, _FrameRun> | undefined;

  private constructor(parent: _FrameRun | null, frame: Uint8Array) {
    this.parent = parent;
    this.frame = frame;
    this.size = (parent?.size ?? 0) + frame.length;
  }

  /** The run of the single frame `frame`. */
  static start(frame: Uint8Array): _FrameRun {
    let run = _roots.get(frame);
    if (run === undefined) _roots.set(frame, run = new _FrameRun(null, frame));
    return run;
  }

  /** This run followed by `frame`. */
  then(frame: Uint8Array): _FrameRun {
    if (this.#nextFrame === frame) return this.#next!;
    if (this.#nextFrame === undefined) {
      this.#nextFrame = frame;
      return this.#next = new _FrameRun(this, frame);
    }
    this.#more ??= new Map();
    let run = this.#more.get(frame);
    if (run === undefined) {
      // A frame that is sent again and again (a constant message) would otherwise collect every
      // frame that ever followed it.
      if (this.#more.size >= _MAX_BRANCHES) this.#more.clear();
      this.#more.set(frame, run = new _FrameRun(this, frame));
    }
    return run;
  }

  /** The frames of the run in one buffer, joined on first use and shared afterwards. */
  bytes(): Uint8Array {
    if (this.parent === null) return this.frame;
    if (this.#joined !== undefined) return this.#joined;
    const joined = new Uint8Array(this.size);
    let end = this.size;
    end -= this.frame.length;
    joined.set(this.frame, end);
    for (let run: _FrameRun | null = this.parent; run !== null; run = run.parent) {
      const cached = run.#joined;
      if (cached !== undefined) {
        joined.set(cached, 0);
        break;
      }
      end -= run.frame.length;
      joined.set(run.frame, end);
    }
    return this.#joined = joined;
  }
}

const _MAX_BRANCHES = 16;
const _roots = new WeakMap<Uint8Array, _FrameRun>();
