import Docker from 'dockerode';
import { Row, row, skipped } from '../report';

const CHECK = 'stops promptly on SIGTERM';

/** Orchestrators give ~10-30 s; a well-behaved app drains and exits in well under 2. */
export const STOP_LIMIT_MS = 2000;

export interface StopOutcome {
  readonly elapsedMs: number;
  readonly exitCode: number;
  readonly timeoutS: number;
}

/**
 * Both conditions are needed: exit 137 means Docker gave up and sent
 * SIGKILL; a clean exit after the full timeout means the app drains too
 * slowly for a rolling deploy.
 */
export function judgeStop(stop: StopOutcome): Row {
  const secs = (stop.elapsedMs / 1000).toFixed(2);
  const killed = stop.exitCode === 137 ? ' (SIGKILL after timeout)' : '';
  return row('8', CHECK, `docker stop -t ${stop.timeoutS}: exit 0 within ${STOP_LIMIT_MS / 1000} s`,
    `exit ${stop.exitCode}${killed} after ${secs} s`, stop.exitCode === 0 && stop.elapsedMs <= STOP_LIMIT_MS);
}

/** `docker stop` semantics via the API: SIGTERM (or the image's StopSignal), then SIGKILL after `timeoutS`. */
export async function checkStop(container: Docker.Container, timeoutS: number): Promise<Row[]> {
  const before = await container.inspect();
  if (!before.State.Running) {
    return [skipped('8', CHECK, `exit 0 within ${STOP_LIMIT_MS / 1000} s`, `container not running (exited ${before.State.ExitCode})`)];
  }
  const start = Date.now();
  await container.stop({ t: timeoutS });
  const elapsedMs = Date.now() - start;
  const after = await container.inspect();
  return [judgeStop({ elapsedMs, exitCode: after.State.ExitCode, timeoutS })];
}
