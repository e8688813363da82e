import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * The docker CLI for fixture builds: $DOCKER, else Debian's 20.10 client
 * when present (this machine's /usr/local/bin/docker has no buildx and its
 * BuildKit builds fail), else whatever `docker` is on PATH.
 */
export const DOCKER = process.env.DOCKER || (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

/** The local bases the fixture image is built FROM (ci/stand-in-bases.sh makes stand-ins). */
export const FIXTURE_BASES = ['node:24-trixie-slim', 'debian:trixie-slim'];

export const FIXTURE_DIR = join(__dirname, 'fixture-image');

/**
 * Why engine tests cannot run, or undefined when they can: an engine that
 * answers, and the `bases` the tests build FROM. Synchronous because jest
 * collects `describe` blocks synchronously.
 */
export function engineUnavailable(bases: readonly string[] = FIXTURE_BASES): string | undefined {
  const info = spawnSync(DOCKER, ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  if (info.error) return `${DOCKER} not runnable (${(info.error as NodeJS.ErrnoException).code})`;
  if (info.status !== 0) return `no Docker engine answering (${info.stderr.trim().split('\n')[0]}); start it with bash ci/docker-engine.sh`;
  const missing = bases.filter((img) => spawnSync(DOCKER, ['image', 'inspect', img], { timeout: 10_000 }).status !== 0);
  if (missing.length) return `base images missing: ${missing.join(', ')}; build them with bash ci/stand-in-bases.sh ${missing.join(' ')}`;
  return undefined;
}

/**
 * `describe` when an engine and the base images are there, otherwise a
 * visible skip: a warning in the output plus a skipped block, never a
 * silent pass.
 */
export function describeIfEngine(name: string, body: () => void, bases: readonly string[] = FIXTURE_BASES): void {
  const reason = engineUnavailable(bases);
  if (reason) {
    console.warn(`SKIPPED engine tests "${name}": ${reason}`);
    describe.skip(`${name} (skipped: ${reason})`, body);
  } else {
    describe(name, body);
  }
}

/**
 * Builds an image from a Dockerfile text with the fixture folder as context.
 * `--network host` because the engine has no bridge; BuildKit's layer cache
 * keeps rebuilds to about a second.
 */
export function buildImage(tag: string, dockerfile: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'verify-fixture-'));
  try {
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, dockerfile);
    const r = spawnSync(DOCKER, ['build', '--network', 'host', '-q', '-t', tag, '-f', file, FIXTURE_DIR], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`building ${tag} failed: ${r.stderr || r.error}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function removeImages(tags: readonly string[]): void {
  spawnSync(DOCKER, ['rmi', '--force', ...tags], { timeout: 60_000 });
}

/** Containers still carrying a run's label: must be none after a run. */
export function labelledContainers(label: string): string[] {
  const r = spawnSync(DOCKER, ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

/** Runs `body` with DOCKER_HOST set, for docker-modem, which reads process.env; restores it after. */
export async function withDockerHost<T>(host: string, body: () => Promise<T>): Promise<T> {
  const before = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = host;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = before;
  }
}
