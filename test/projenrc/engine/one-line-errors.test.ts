import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildUnrunnable, UNRUNNABLE_BASE } from './unrunnable';
import { RELOCK_HINT, renderLock, tagOf } from '../../../packages/projen-container/src/container/base-image-lock';
import { archOf, PLATFORM_ARCHES } from '../../../packages/projen-container/src/container/container-image-props';
import type { ResolvedContainer } from '../../../packages/projen-container/src/container/resolved-container';
import { CONTAINER_SPEC_PATH, specFileContent } from '../../../packages/projen-container/src/container/resolved-container';
import { toolCommand } from '../../../packages/projen-container/src/container/tool-command';
import { cannotRun, connectEngine } from '../../../packages/projen-container/src/engine';
import type { Io } from '../../../packages/projen-container/src/verify';
import { main, reportError } from '../../../packages/projen-container/src/verify';
import { DOCKER, describeIfEngine, removeImages, withDockerHost } from '../verify/engine-helpers';
import { FIXTURE_PLAN, fixtureSpec } from '../verify/fixture';

const ROOT = join(__dirname, '..', '..', '..');
const NO_ENGINE = 'unix:///tmp/no-such-docker-engine.sock';
const UNPULLABLE = `sha256:${'0'.repeat(64)}`;

/** A project folder holding a spec, its lock and the package lockfile, as `npx projen` leaves one. */
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

/** docker:build's first step (or, with `args` empty, docker:lock), the task's own command, run in `cwd` (projen puts the node_modules binaries on PATH). */
function buildCheck(cwd: string, env: NodeJS.ProcessEnv = {}, args = '--check') {
  return spawnSync('sh', ['-c', `${toolCommand(cwd, 'container/lock-cli')} ${args}`], {
    cwd, encoding: 'utf8', env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, ...env }, timeout: 60_000,
  });
}

/** verify in-process, in `cwd`, as `npx projen docker:verify` runs it; its stderr lines and exit code. */
async function verify(cwd: string, docker = process.execPath): Promise<{ code: number; err: string[]; out: string[] }> {
  const lines = { out: [] as string[], err: [] as string[] };
  const io: Io = { out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) };
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const env = { CONTAINER_SPEC_PATH: join(cwd, CONTAINER_SPEC_PATH), DOCKER: docker };
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

describe('the pod check\'s overlay, rendered before the engine is asked: one line naming kubectl', () => {
  const overlay = 'deploy/kubernetes/overlays/production';
  const pod = {
    name: 'pod', title: 'the production pod', kind: 'pod', kustomization: overlay, container: 'api', databasePath: '/health',
  } as const;
  const spec = fixtureSpec({ ...FIXTURE_PLAN, runtime: [...FIXTURE_PLAN.runtime, pod] });

  test('without kubectl on PATH, and where to get it', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const r = await withDockerHost(NO_ENGINE, () => verify(projectWith(spec)));
      expect(r).toEqual({
        code: 2,
        out: [],
        err: [`docker:verify: kubectl not found on PATH: the pod check renders ${overlay} with \`kubectl kustomize\`; `
          + 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or put it on PATH'],
      });
    } finally {
      process.env.PATH = path;
    }
  });

  test('an overlay kubectl cannot render, with kubectl\'s reason', async () => {
    const r = await withDockerHost(NO_ENGINE, () => verify(projectWith(spec)));
    expect(r).toMatchObject({ code: 2, out: [] });
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(new RegExp(`^docker:verify: kubectl kustomize ${overlay} failed: .*\\S$`));
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

describeIfEngine('a declared platform this engine cannot run: one line naming both fixes, before any build or pull', () => {
  const declared = Object.keys(PLATFORM_ARCHES);
  // The minimal runtime's packages make docker:lock install on every platform.
  const spec: ResolvedContainer = {
    ...fixtureSpec(),
    platforms: declared,
    debianPackages: [{ name: 'libc6', ships: true, locked: {} }],
    baseImages: { ...fixtureSpec().baseImages, runtime: UNRUNNABLE_BASE },
  };
  let line: string;

  beforeAll(async () => {
    const { Os: os, Arch: arch } = await (await connectEngine('')).docker.version();
    const foreign = declared.find((p) => archOf(p) !== arch)!;
    buildUnrunnable(foreign);
    line = cannotRun(foreign, { os, arch }, declared);
  });

  afterAll(() => {
    removeImages([UNRUNNABLE_BASE]);
  });

  test('docker:verify', async () => {
    expect(await verify(projectWith(spec), DOCKER)).toEqual({ code: 2, out: [], err: [`docker:verify: ${line}`] });
  });

  test('docker:lock', () => {
    const r = buildCheck(projectWith(spec), { DOCKER }, '');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`docker:lock: ${line}`]);
  });
});
