// A compression worker that answers its first job, then fails with an uncaught error: the
// pool must run the rest on the main thread.
import { _DeflateContexts, type _DeflateJob } from "../../src/extensions/_deflate_jobs.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<_DeflateJob>) => void) | null;
  postMessage(message: unknown): void;
};
const contexts = new _DeflateContexts();
let answered = 0;
scope.onmessage = ({ data }) => {
  if (data.kind !== "deflate") return;
  if (answered++ === 1) throw new Error("worker failure for the test");
  scope.postMessage({ job: data.job, payload: contexts.run(data) });
};
scope.postMessage({ ready: true });
