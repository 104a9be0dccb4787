// The process-wide pool of large buffers: sizes are powers of two, only whole buffers of a pooled
// size go back, and the pool never holds more than its total.
import assert from "node:assert/strict";
import {
  _POOLED_MAX,
  _pooledBytes,
  _releaseBuffer,
  _takeBuffer,
} from "../../src/protocol/_buffer_pool.ts";

// Empties the pool, so that each test starts from nothing pooled.
function drain(): void {
  for (let size = 1024; size <= _POOLED_MAX; size *= 2) {
    while (_pooledBytes() > 0) {
      const before = _pooledBytes();
      _takeBuffer(size);
      if (_pooledBytes() === before) break;
    }
  }
  assert.equal(_pooledBytes(), 0);
}

Deno.test("_takeBuffer rounds up to a power of two from 1 KiB, and gives exact sizes past the largest pooled", () => {
  drain();
  assert.equal(_takeBuffer(1).length, 1024);
  assert.equal(_takeBuffer(1024).length, 1024);
  assert.equal(_takeBuffer(1025).length, 2048);
  assert.equal(_takeBuffer(200_000).length, 262_144);
  assert.equal(_takeBuffer(_POOLED_MAX).length, _POOLED_MAX);
  assert.equal(_takeBuffer(_POOLED_MAX + 1).length, _POOLED_MAX + 1);
});

Deno.test("a released buffer is handed out again, once, for any size of its class", () => {
  drain();
  const a = _takeBuffer(70_000);
  _releaseBuffer(a);
  assert.equal(_pooledBytes(), 131_072);
  const b = _takeBuffer(100_000);
  assert.ok(b === a);
  assert.equal(_pooledBytes(), 0);
  assert.ok(_takeBuffer(100_000) !== a, "taken once, not twice");
});

Deno.test("views, odd sizes and oversized buffers are not pooled", () => {
  drain();
  const whole = _takeBuffer(4096);
  _releaseBuffer(whole.subarray(0, 2048)); // a view of part of it
  _releaseBuffer(whole.subarray(1)); // a view at an offset
  _releaseBuffer(new Uint8Array(3000)); // not a power of two
  _releaseBuffer(new Uint8Array(512)); // under the smallest class
  _releaseBuffer(new Uint8Array(_POOLED_MAX * 2)); // over the largest
  assert.equal(_pooledBytes(), 0);
});

Deno.test("the pool stops keeping buffers at 8 MiB in all", () => {
  drain();
  const buffers = Array.from({ length: 3 }, () => _takeBuffer(_POOLED_MAX));
  for (const buffer of buffers) _releaseBuffer(buffer);
  assert.equal(_pooledBytes(), 2 * _POOLED_MAX);
  drain();
});
