// Python's `websockets` library (Debian's python3-websockets) on Debian's own Python, for the
// interop tests that run `python/ws_peer.py`.
import { IN_CI } from "../_chromium.ts";

/** Debian's Python, which Debian's python3-websockets is installed for. */
export const PYTHON = "/usr/bin/python3";
/** The Python peer: client, soak, oversize and server modes. */
export const PYTHON_PEER = new URL("./python/ws_peer.py", import.meta.url).pathname;

/** Whether `PYTHON` can import `websockets`. */
export const HAS_PYTHON_WEBSOCKETS = await new Deno.Command(PYTHON, {
  args: ["-c", "import websockets"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

/** `ignore` for these tests: skip only on a machine without the library and outside CI. */
export const SKIP_PYTHON = !HAS_PYTHON_WEBSOCKETS && !IN_CI;
if (SKIP_PYTHON) {
  console.warn(
    "Python websockets tests skipped: Debian's python3-websockets is not installed " +
      "(with CI=true they fail instead).",
  );
}

/** The assertion that opens every such test. */
export const NEEDS_PYTHON = "this test needs Debian's python3-websockets for /usr/bin/python3";
