/**
 * A pnpm project through the public surface only: every file that installs
 * dependencies uses pnpm's lockfile and pnpm's frozen install, and a manager
 * the installs cannot be frozen with is refused in one line.
 */
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { javascript, Testing } from 'projen';
import { parse } from 'yaml';
import { BASE_PROPS, testProject } from './fixture';
import { ContainerDocs, ContainerImage, ContainerWorkflow, TaskMakefile } from '../../../packages/projen-container/src';

// fastify needs ajv, which is also a devDependency at the same version; typescript only builds.
const PNPM_LOCK = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      fastify:
        specifier: ^5
        version: 5.6.1
    devDependencies:
      ajv:
        specifier: ^8
        version: 8.17.1
      typescript:
        specifier: ^5
        version: 5.9.3

packages:

  ajv@8.17.1:
    resolution: {integrity: sha512-a}

  fastify@5.6.1:
    resolution: {integrity: sha512-b}

  typescript@5.9.3:
    resolution: {integrity: sha512-c}
    hasBin: true

snapshots:

  ajv@8.17.1: {}

  fastify@5.6.1:
    dependencies:
      ajv: 8.17.1

  typescript@5.9.3: {}
`;

/** A pnpm app with its lockfile on disk, the image, its docs and workflow, and a Makefile. */
function synthPnpm() {
  const outdir = mkdtempSync(join(tmpdir(), 'pnpm-project-'));
  writeFileSync(join(outdir, 'pnpm-lock.yaml'), PNPM_LOCK);
  const project = testProject(undefined, outdir, javascript.NodePackageManager.PNPM);
  project.addDeps('fastify@^5');
  project.addDevDeps('ajv@^8', 'typescript@^5');
  const image = new ContainerImage(project, BASE_PROPS);
  new ContainerDocs(image);
  new ContainerWorkflow(image);
  new TaskMakefile(project, { build: 'build' });
  return Testing.synth(project);
}

describe('a pnpm project', () => {
  let out: Record<string, any>;
  let pnpmVersion: string;
  beforeAll(() => {
    out = synthPnpm();
    pnpmVersion = out['package.json'].packageManager.replace(/^pnpm@/, '');
  });

  test('projen pins pnpm to an exact version in package.json', () => {
    expect(pnpmVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('Dockerfile: that pnpm, installed by npm before the manifests, then pnpm\'s frozen install from pnpm-lock.yaml', () => {
    const dockerfile: string = out.Dockerfile;
    const lines = dockerfile.split('\n').filter((l) => /^(RUN|COPY)/.test(l));
    expect(lines.slice(0, 3)).toEqual([
      `RUN --mount=type=cache,target=/root/.npm npm install --global --no-audit --no-fund pnpm@${pnpmVersion}`,
      'COPY package.json pnpm-lock.yaml ./',
      'RUN --mount=type=cache,target=/root/.pnpm-store pnpm i --frozen-lockfile --ignore-scripts --store-dir=/root/.pnpm-store',
    ]);
    expect(dockerfile).not.toMatch(/npm ci|package-lock/);
  });

  test('.dockerignore admits pnpm-lock.yaml and no other lockfile', () => {
    const admitted = out['.dockerignore'].split('\n').filter((l: string) => l.startsWith('!'));
    expect(admitted).toContain('!pnpm-lock.yaml');
    expect(admitted).not.toContain('!package-lock.json');
  });

  test('Makefile: node_modules stands on pnpm-lock.yaml and installs frozen with pnpm', () => {
    expect(out.Makefile).toContain('\nnode_modules/.modules.yaml: pnpm-lock.yaml\n\tpnpm i --frozen-lockfile\n');
    expect(out.Makefile).not.toMatch(/npm ci|package-lock/);
  });

  test('container.yml: every job that installs sets up that pnpm, then installs frozen with it; no npm cache', () => {
    const workflow = parse(out['.github/workflows/container.yml']);
    const installing = Object.values(workflow.jobs as Record<string, { steps?: { name?: string; run?: string; with?: Record<string, unknown> }[] }>)
      .map((job) => job.steps ?? []).filter((steps) => steps.some((s) => s.name === 'Install dependencies'));
    expect(installing).toHaveLength(2);
    for (const steps of installing) {
      const runs = steps.map((s) => s.run);
      const setup = runs.indexOf(`npm install --global --no-audit --no-fund pnpm@${pnpmVersion}`);
      expect(setup).toBeGreaterThan(-1);
      expect(runs.indexOf('pnpm i --frozen-lockfile')).toBeGreaterThan(setup);
      expect(steps.find((s) => s.name === 'Setup Node.js')?.with).not.toHaveProperty('cache');
    }
    expect(out['.github/workflows/container.yml']).not.toMatch(/npm ci|package-lock|cache: npm/);
  });

  test('docs/container.md names pnpm\'s install and lockfile', () => {
    expect(out['docs/container.md']).toContain('`pnpm-lock.yaml` pins them');
    expect(out['docs/container.md']).toContain('lockfile `pnpm i --frozen-lockfile` installs');
    expect(out['docs/container.md']).not.toMatch(/npm ci|package-lock/);
  });

  test('a devDependency the production tree also installs is not forbidden; one only the build needs is', () => {
    const names = Object.keys(out['.projen/container.json'].devDependencies);
    expect(names).toContain('typescript');
    expect(names).not.toContain('ajv');
  });
});

describe('package managers the installs cannot be frozen with', () => {
  test.each([
    javascript.NodePackageManager.YARN_CLASSIC,
    javascript.NodePackageManager.YARN_BERRY,
    javascript.NodePackageManager.BUN,
  ])('%s: refused in one line naming packageManager', (manager) => {
    const project = testProject(undefined, undefined, manager);
    const synth = () => Testing.synth(new ContainerImage(project, BASE_PROPS).project);
    expect(synth).toThrow(`ContainerImage: "packageManager" must be npm or pnpm (installs are frozen to their lockfiles), got "${manager}"`);
    expect(() => new TaskMakefile(testProject(undefined, undefined, manager), {})).toThrow('TaskMakefile: "packageManager" must be npm or pnpm');
  });
});
