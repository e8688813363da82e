/**
 * Polls `condition` until it holds, for states that announce themselves with no event (a pool's queue, a
 * process that is not our child); rejects naming `what` once `withinMs`, a bound the caller derives from the
 * configuration the state depends on, have passed.
 */
export async function until(condition: () => boolean | Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A configured bound as a deadline for a busy machine: as much again, and a second. Scheduling may delay what
 * the bound promises, never double it, so a deadline missed means the behaviour is missing, not slow.
 */
export const generous = (boundMs: number): number => 2 * boundMs + 1000;
