/**
 * Runs `work` while a 5 ms ticker watches the event loop, and gives back the longest gap
 * between its turns, the stretch up to the end of `work` included: work that blocked
 * synchronously gave the ticker no turn at all.
 */
export async function longestEventLoopGap<T>(
  work: () => Promise<T>,
): Promise<{ result: T; gapMs: number }> {
  let gapMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 5);
  try {
    last = performance.now();
    const result = await work();
    gapMs = Math.max(gapMs, performance.now() - last);
    return { result, gapMs };
  } finally {
    clearInterval(ticker);
  }
}
