/**
 * Wraps a check so that concurrent callers share one run (single flight) and
 * its verdict answers every caller for `windowMs` after it settled. However
 * many callers arrive, `check` then runs at most once per window plus its own
 * duration. `check` must not reject: the verdict is a value, failures too.
 */
export function sharedVerdict<T>(check: () => Promise<T>, windowMs: number, now: () => number = performance.now.bind(performance)): () => Promise<T> {
  let current: Promise<T> | undefined;
  let settledAt = -Infinity;
  return () => {
    if (current && (settledAt === Infinity || now() - settledAt < windowMs)) return current;
    settledAt = Infinity;
    const run = check();
    current = run;
    void run.finally(() => {
      if (current === run) settledAt = now();
    });
    return run;
  };
}
