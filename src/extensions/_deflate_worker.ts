// Entry point of a compression worker (see `_deflate_pool.ts`): runs deflate jobs in order and
// answers each with the compressed bytes, transferred rather than copied.
import { _DeflateContexts, type _DeflateFree, type _DeflateJob } from "./_deflate_jobs.ts";

interface _WorkerScope {
  onmessage: ((event: MessageEvent<_DeflateJob | _DeflateFree>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as _WorkerScope;
const contexts = new _DeflateContexts();

scope.onmessage = ({ data }) => {
  if (data.kind === "free") {
    contexts.free(data.context);
    return;
  }
  let payload: Uint8Array;
  try {
    payload = contexts.run(data);
  } catch (error) {
    scope.postMessage({
      job: data.job,
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  // The result is a view of a buffer of its own (joined or copied from zlib's scratch space), so
  // the buffer moves to the main thread instead of being copied; the view survives the transfer.
  scope.postMessage({ job: data.job, payload }, [payload.buffer as ArrayBuffer]);
};

// Loaded and listening: until this arrives, the pool compresses on the main thread.
scope.postMessage({ ready: true });
