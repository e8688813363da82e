/**
 * The bench's side of the engine layer it shares with `docker:verify`:
 * connecting, labelled containers (`RunScope`), ports and HTTP come from
 * the package's engine entry point; what only the bench needs (timed start and stop, a retry
 * when the engine restarts) is here. Builds go through the docker CLI
 * (exec.ts): it is the only BuildKit client.
 */
import type Docker from 'dockerode';
import { httpGet, RunScope, sleep, type ContainerRequest, type Engine } from '../packages/projen-container/src/engine';

export { connectEngine, newRunId, RunScope } from '../packages/projen-container/src/engine';
export type { ContainerRequest, Engine } from '../packages/projen-container/src/engine';

/** Interval of the first-200 poll. */
const POLL_MS = 10;
/** An app that has not answered by then is broken, not slow. */
const START_TIMEOUT_MS = 60_000;

export interface Started {
  readonly container: Docker.Container;
  /** ms from the create call to the first 200. */
  readonly startMs: number;
  readonly url: string;
}

/**
 * Creates and starts a container that listens where the run reaches it
 * (PORT), then polls `path` until it answers 200: `docker run` → first 200,
 * the same way for every subject and anchor.
 */
export async function startTimed(scope: RunScope, req: Omit<ContainerRequest, 'network' | 'listen'>, path: string, declaredPort: number): Promise<Started> {
  const port = await scope.listenPort(declaredPort);
  const t0 = performance.now();
  const container = await scope.create({ ...req, network: 'reachable', listen: port, env: { ...req.env, PORT: String(port) } });
  try {
    await container.start();
    const url = `http://${await scope.address(container, port)}${path}`;
    for (;;) {
      const status = await httpGet(url, 250).then((a) => a.status, () => 0);
      if (status === 200) return { container, startMs: performance.now() - t0, url };
      if (performance.now() - t0 > START_TIMEOUT_MS) throw new Error(`${scope.image}: no 200 from ${url} within ${START_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
  } catch (e) {
    await container.remove({ force: true }).catch(() => undefined);
    throw e;
  }
}

/** `docker stop` (the engine's default grace) timed, and the exit code it left; removes the container. */
export async function stopTimed(container: Docker.Container): Promise<{ stopMs: number; exitCode: number }> {
  const t0 = performance.now();
  try {
    await container.stop();
    const stopMs = performance.now() - t0;
    return { stopMs, exitCode: (await container.inspect()).State.ExitCode };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Uncompressed size in bytes, as `docker image inspect` reports it; undefined when the image is absent. */
export async function imageSize(engine: Engine, ref: string): Promise<number | undefined> {
  return engine.docker.getImage(ref).inspect().then((i) => i.Size, () => undefined);
}

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|ENOENT|EPIPE|socket hang up|connect to the Docker daemon|reach the Docker engine/;

/**
 * Runs one sample; if the engine went away (a colleague may restart it),
 * waits for it to answer again and runs the sample once more.
 */
export async function retrying<T>(engine: Engine, what: string, fn: () => Promise<T>, log: (m: string) => void): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!CONNECTION_ERRORS.test((e as Error).message ?? String(e))) throw e;
    log(`${what}: engine unreachable (${(e as Error).message.split('\n')[0]}); waiting for it`);
    for (let waited = 0; !(await engine.docker.ping().then(() => true, () => false)); waited += 2000) {
      if (waited > 180_000) throw e;
      await sleep(2000);
    }
    return fn();
  }
}
