import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RELOCK_HINT, renderLock, tagOf } from '../../../packages/projen-container/src/container/base-image-lock';
import type { ResolvedContainer } from '../../../packages/projen-container/src/container/resolved-container';
import { CONTAINER_SPEC_PATH, specFileContent } from '../../../packages/projen-container/src/container/resolved-container';
import { toolCommand } from '../../../packages/projen-container/src/container/tool-command';
import type { Io } from '../../../packages/projen-container/src/verify';
import { main, reportError } from '../../../packages/projen-container/src/verify';
import { describeIfEngine, withDockerHost } from '../verify/engine-helpers';
import { fixtureSpec } from '../verify/fixture';

const ROOT = join(__dirname, '..', '..', '..');
const NO_ENGINE = 'unix:///tmp/no-such-docker-engine.sock';
const UNPULLABLE = `sha256:${'0'.repeat(64)}`;

/** A project folder holding a spec (and its lock), and the package lockfile the image installs from, as `npx projen` leaves one. */
function projectWith(spec: ResolvedContainer): string {
  const dir = mkdtempSync(join(tmpdir(), 'one-line-'));
  mkdirSync(join(dir, '.projen'));
  writeFileSync(join(dir, spec.packageManager.lockFile), '{}');
  writeFileSync(join(dir, CONTAINER_SPEC_PATH), JSON.stringify(specFileContent(spec)));
  const refs = [spec.baseImages.build, spec.baseImages.runtime].filter((r) => r.includes('@'));
  writeFileSync(join(dir, 'container.lock.json'), renderLock({ images: Object.fromEntries(refs.map((r) => [tagOf(r), r.split('@')[1]])) }));
  return dir;
}

/** The fixture's spec with both bases pinned to a digest no registry serves. */
function unpullable(): ResolvedContainer {
  const spec = fixtureSpec();
  const pin = (ref: string) => `${ref}@${UNPULLABLE}`;
  return { ...spec, baseImages: { build: pin(spec.baseImages.build), runtime: pin(spec.baseImages.runtime) } };
}

/** docker:build's first step, the task's own command, run in `cwd` (projen puts the node_modules binaries on PATH). */
function buildCheck(cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync('sh', ['-c', `${toolCommand(cwd, 'container/lock-cli')} --check`], {
    cwd, encoding: 'utf8', env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, ...env }, timeout: 60_000,
  });
}

/** verify in-process, in `cwd`, as `npx projen docker:verify` runs it; its stderr lines and exit code. */
async function verify(cwd: string): Promise<{ code: number; err: string[]; out: string[] }> {
  const lines = { out: [] as string[], err: [] as string[] };
  const io: Io = { out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) };
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const env = { CONTAINER_SPEC_PATH: join(cwd, CONTAINER_SPEC_PATH), DOCKER: process.execPath };
    const code = await main([], env, io).catch((e: unknown) => reportError(e, io));
    return { code, ...lines };
  } finally {
    process.chdir(before);
  }
}


describe('no engine answers: one line naming the cause and the declared way to get one', () => {
  const spec = { ...fixtureSpec(), engineHelp: 'start Docker, or run the provisioning script' };
  const line = 'cannot reach the Docker engine at /tmp/no-such-docker-engine.sock (connect ENOENT): start Docker, or run the provisioning script';

  test('docker:build', () => {
    const r = buildCheck(projectWith({ ...spec, baseImages: unpullable().baseImages }), { DOCKER_HOST: NO_ENGINE });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`docker:build: ${line}`]);
  });

  test('docker:verify', async () => {
    const dir = projectWith(spec);
    const r = await withDockerHost(NO_ENGINE, () => verify(dir));
    expect(r).toEqual({ code: 2, out: [], err: [`docker:verify: ${line}`] });
  });
});

describeIfEngine('a pinned base digest this machine cannot pull: one line naming it and docker:lock', () => {
  const spec = unpullable();
  const ref = spec.baseImages.build;
  const line = new RegExp(`^cannot pull the locked base image ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.+\\): ${RELOCK_HINT}$`);

  test('docker:build stops before BuildKit', () => {
    const r = buildCheck(projectWith(spec));
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].replace(/^docker:build: /, '')).toMatch(line);
    expect(r.stderr).not.toContain('failed to do request');
  });

  test('docker:verify stops before building', async () => {
    const r = await verify(projectWith(spec));
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0].replace(/^docker:verify: /, '')).toMatch(line);
  });
});
