import assert from "node:assert/strict";
import { _FrameRun } from "../../src/connection/_frame_run.ts";

const frame = (...bytes: number[]) => new Uint8Array(bytes);

Deno.test("_FrameRun joins a sequence of shared frames once for every connection sent it", () => {
  const a = frame(1, 2);
  const b = frame(3);
  const c = frame(4, 5, 6);
  const first = _FrameRun.start(a).then(b).then(c);
  const second = _FrameRun.start(a).then(b).then(c);
  assert.equal(first, second);
  assert.deepEqual(first.bytes(), frame(1, 2, 3, 4, 5, 6));
  assert.equal(first.bytes(), second.bytes());
  assert.equal(first.size, 6);
});

Deno.test("_FrameRun returns a single frame as it is, without a copy", () => {
  const a = frame(7, 8);
  assert.equal(_FrameRun.start(a).bytes(), a);
});

Deno.test("_FrameRun keeps branches apart and reuses a joined prefix", () => {
  const a = frame(1);
  const b = frame(2);
  const c = frame(3);
  const ab = _FrameRun.start(a).then(b);
  assert.deepEqual(ab.bytes(), frame(1, 2));
  assert.deepEqual(ab.then(c).bytes(), frame(1, 2, 3));
  assert.deepEqual(_FrameRun.start(a).then(c).bytes(), frame(1, 3));
  assert.deepEqual(_FrameRun.start(b).then(a).bytes(), frame(2, 1));
});

Deno.test("_FrameRun bounds the branches kept after a frame that is sent again and again", () => {
  const constant = frame(0);
  const root = _FrameRun.start(constant);
  const runs = Array.from({ length: 100 }, (_, i) => root.then(frame(i)));
  for (const [i, run] of runs.entries()) assert.deepEqual(run.bytes(), frame(0, i));
});
