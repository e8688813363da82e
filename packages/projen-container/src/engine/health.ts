import Docker from 'dockerode';
import { logTail } from './scope';
import { sleep } from './time';

/** A HEALTHCHECK's timing, in seconds, as the image declares it. */
export interface HealthTiming {
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly startPeriodS: number;
  readonly retries: number;
}

/** Docker's durations are nanoseconds. */
const NS_PER_MS = 1_000_000;
const FAST_INTERVAL_MS = 500;

/**
 * The image's own HEALTHCHECK test with the declared timeout, start period and
 * retries, but polled every 0.5 s instead of every `intervalS`: the verdict
 * is the same one production would reach, a check just waits about a second
 * for it instead of the full interval.
 */
export function fastHealthcheck(imageTest: readonly string[] | undefined, timing: HealthTiming): Docker.ContainerCreateOptions['Healthcheck'] {
  return {
    Test: imageTest ? [...imageTest] : undefined,
    Interval: FAST_INTERVAL_MS * NS_PER_MS,
    Timeout: timing.timeoutS * 1000 * NS_PER_MS,
    StartPeriod: timing.startPeriodS * 1000 * NS_PER_MS,
    Retries: timing.retries,
  };
}

/** How long to wait for Docker's verdict: the start period, then every retry timing out, plus slack. */
export function healthDeadlineMs(timing: HealthTiming): number {
  return (timing.startPeriodS + timing.retries * (timing.timeoutS + FAST_INTERVAL_MS / 1000)) * 1000 + 5000;
}

export interface HealthOutcome {
  /** `healthy`, `unhealthy`, `starting` (timed out), `none` (no HEALTHCHECK), or `exited (N)`. */
  readonly status: string;
  readonly elapsedMs: number;
  /** Last health probe output or log lines, to explain a failure. */
  readonly detail: string;
}

/**
 * Polls `inspect` until Docker calls the container healthy or unhealthy, the
 * container exits, or `timeoutMs` passes. Polling (rather than the events
 * stream) keeps no open connection to clean up when a run is interrupted.
 */
export async function waitForHealth(container: Docker.Container, timeoutMs: number): Promise<HealthOutcome> {
  const start = Date.now();
  for (;;) {
    const info = await container.inspect();
    const elapsedMs = Date.now() - start;
    const state = info.State;
    if (!state.Running) {
      return { status: `exited (${state.ExitCode})`, elapsedMs, detail: await logTail(container) };
    }
    const health = state.Health;
    if (!health) return { status: 'none', elapsedMs, detail: 'the container has no HEALTHCHECK' };
    const last = health.Log?.[health.Log.length - 1];
    const detail = last ? `last probe exit ${last.ExitCode}: ${last.Output.trim().slice(0, 200)}` : 'no probe ran yet';
    if (health.Status === 'healthy' || health.Status === 'unhealthy') {
      return { status: health.Status, elapsedMs, detail };
    }
    if (elapsedMs > timeoutMs) return { status: health.Status, elapsedMs, detail };
    await sleep(200);
  }
}
