// Debian's Chromium driven by playwright-core, shared by every browser test. A downloaded
// browser is never used.
import assert from "node:assert/strict";
import { type Browser, chromium } from "playwright-core";

/** Where Debian installs Chromium. A downloaded browser is never used. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Whether tests run in CI, where a missing Chromium must fail rather than skip. */
export const IN_CI = ["true", "1"].includes(Deno.env.get("CI")?.toLowerCase() ?? "");

/** Whether Debian's Chromium is installed. */
export const HAS_CHROMIUM = (() => {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
})();

/** `ignore` for the Chromium tests: skip only on a machine without Chromium and outside CI. */
export const SKIP_CHROMIUM = !HAS_CHROMIUM && !IN_CI;
if (SKIP_CHROMIUM) {
  console.warn(
    `Browser tests skipped: ${CHROMIUM_PATH} not found (install Debian's chromium; ` +
      `with CI=true they fail instead).`,
  );
}

/** Launches Chromium headless; fails loudly when it is missing. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(
    HAS_CHROMIUM,
    `${CHROMIUM_PATH} is missing: the browser tests need Debian's chromium package`,
  );
  const launched = chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-quic",
      "--disable-sync",
    ],
    timeout: 15_000,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("Cannot launch Chromium: no answer in 20 s")),
      20_000,
    );
  });
  try {
    return await Promise.race([launched, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
