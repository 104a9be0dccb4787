/**
 * Waits until `condition()` holds, polling every 5 ms; fails after `ms` milliseconds with `what`
 * in the message. For events that arrive asynchronously (over a socket, from a broker, a timer).
 */
export async function until(
  condition: () => boolean,
  what = "condition",
  ms = 3_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
