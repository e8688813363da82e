import { spawnSync } from 'child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const INSTALL = 'apt-get install -y docker-compose (ci/provision.sh does)';

// `env` explicitly: jest's process.env is the test's, child_process would otherwise read the runner's.
const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8', env: process.env });
/** The first line of `docker-compose version`, where it runs; CI must have it (ci/provision.sh installs it). */
export const DOCKER_COMPOSE_VERSION: string | undefined = probe.status === 0 ? probe.stdout.split('\n')[0] : undefined;

/**
 * Why the docker-compose suites skip, or undefined when they run: where
 * docker-compose is installed, and in CI, where its absence must fail them,
 * not pass them.
 */
export function dockerComposeSkipReason(version: string | undefined, ci: string | undefined): string | undefined {
  return version || ci ? undefined : `skipped: docker-compose is not installed: ${INSTALL}`;
}

/** `describe` for suites that run docker-compose; skipped where it is absent, saying why, outside CI. */
export function describeWithDockerCompose(name: string, suite: () => void): void {
  const reason = dockerComposeSkipReason(DOCKER_COMPOSE_VERSION, process.env.CI);
  if (!reason) return describe(`${name} (${DOCKER_COMPOSE_VERSION ?? 'docker-compose missing'})`, suite);
  // Written out as well: jest names skipped tests only in its verbose listing, and drops the console of a suite it skips.
  process.stderr.write(`${name}: ${reason}\n`);
  describe.skip(`${name} (${reason})`, suite);
}

/**
 * `docker-compose config --quiet` on `composeFile` in a fresh folder, with
 * `envExample` as both `.env.example` and `.env`: it resolves and validates
 * only, so nothing is built, pulled, created or started.
 */
export function dockerComposeConfig(composeFile: string, text: string, envExample: string) {
  if (!DOCKER_COMPOSE_VERSION) throw new Error(`docker-compose is not installed: ${INSTALL}`);
  const dir = mkdtempSync(join(tmpdir(), 'compose-config-'));
  writeFileSync(join(dir, composeFile), text);
  writeFileSync(join(dir, '.env.example'), envExample);
  copyFileSync(join(dir, '.env.example'), join(dir, '.env'));
  return spawnSync('docker-compose', ['--file', composeFile, 'config', '--quiet'], { cwd: dir, encoding: 'utf8', env: process.env });
}
