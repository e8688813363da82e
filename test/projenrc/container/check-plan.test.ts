import { Testing } from 'projen';
import { BASE_PROPS, FACTS, resolved, synthContainer, testProject } from './fixture';
import type { ResolvedContainer } from '../../../packages/projen-container/src';
import { ContainerDocs, ContainerImage } from '../../../packages/projen-container/src';
import type { BaseImageLock } from '../../../packages/projen-container/src/container/base-image-lock';
import { CHECK_CATEGORIES, planEntries, planFor } from '../../../packages/projen-container/src/container/check-plan';
import { CATEGORY_TITLES, renderCheckRows } from '../../../packages/projen-container/src/container/container-docs';
import { MINIMAL_PACKAGES } from '../../../packages/projen-container/src/container/container-image-props';
import { dockerfileModel } from '../../../packages/projen-container/src/container/dockerfile';
import { parseSpec, SpecError } from '../../../packages/projen-container/src/container/read-spec';
import { resolveContainer, resolveProps } from '../../../packages/projen-container/src/container/resolve';
import { SPEC_SCHEMA_VERSION, specFileContent } from '../../../packages/projen-container/src/container/resolved-container';

/** The checks table of docs/container.md, read back as [category title, name]. */
function docsChecks(markdown: string): [string, string][] {
  return markdown.split('\n')
    .filter((l) => /^\| \w+ \| `[a-z0-9-]+` \|/.test(l))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((c) => [c[1], c[2].replace(/`/g, '')]);
}

describe('the check plan', () => {
  const r = resolved();

  test('dpkg-status: derived from the packages the Dockerfile copies, at each platform\'s locked versions; only the minimal runtime has it', () => {
    const names = [...MINIMAL_PACKAGES.ships, ...MINIMAL_PACKAGES.tools];
    const locked: BaseImageLock = {
      images: {},
      packages: {
        'linux/amd64': Object.fromEntries(names.map((n) => [n, { version: `${n}-v`, architecture: 'amd64' }])),
        'linux/arm64': Object.fromEntries(names.map((n) => [n, { version: `${n}-w`, architecture: 'arm64' }])),
      },
    };
    const minimal = resolveContainer(resolveProps(BASE_PROPS), FACTS, { assets: [], env: {}, labels: {} }, locked);
    const check = (arch: string) => minimal.checks.commands.find((c) => c.name === `dpkg-status-${arch}`)!;
    expect(check('amd64')).toMatchObject({ platform: 'linux/amd64', expectedOutput: [...MINIMAL_PACKAGES.ships].sort().map((n) => `${n} ${n} ${n}-v amd64`).join('; ') });
    expect(check('arm64')).toMatchObject({ platform: 'linux/arm64', expectedOutput: [...MINIMAL_PACKAGES.ships].sort().map((n) => `${n} ${n} ${n}-w arm64`).join('; ') });
    expect(check('amd64').expectedOutput).not.toContain('binutils');
    const shipped = minimal.debianPackages.filter((p) => p.ships).map((p) => p.name);
    expect(dockerfileModel(minimal).stages.find((s) => s.name === 'rootfs')!.instructions.map((i) => (i.kind === 'RUN' ? i.command : '')).join())
      .toContain(`for p in ${shipped.join(' ')}; do dpkg-query --status`);
    for (const runtime of ['debian', 'node'] as const) {
      expect(resolved({ runtime }).checks.commands.map((c) => c.name).filter((n) => n.startsWith('dpkg-status'))).toEqual([]);
    }
  });

  test('each platform\'s image is checked for its own node build and packages, and not for another platform\'s', () => {
    const arm = planFor(r.checks, 'linux/arm64').commands;
    expect(arm.find((c) => c.name === 'arch-arm64')).toMatchObject({ command: ['node', '-p', 'process.arch'], expectedOutput: 'arm64' });
    expect(arm.map((c) => c.name)).not.toContain('arch-amd64');
    expect(arm.map((c) => c.name)).not.toContain('dpkg-status-amd64');
    expect(arm.map((c) => c.name)).toContain('whoami');
    expect(planFor(r.checks, 'linux/amd64').commands.find((c) => c.name === 'arch-amd64')).toMatchObject({ expectedOutput: 'x64' });
    expect(resolved({ platforms: ['linux/amd64'] }).checks.commands.map((c) => c.name).filter((n) => n.startsWith('arch-'))).toEqual(['arch-amd64']);
  });

  test('every category has entries, and names are unique across the plan', () => {
    for (const category of CHECK_CATEGORIES) expect(r.checks[category].length).toBeGreaterThan(0);
    const names = planEntries(r.checks).map((e) => e.check.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('policy values come from the declaration, each written once', () => {
    const runtime = Object.fromEntries(r.checks.runtime.map((c) => [c.name, c]));
    expect(runtime.hardened).toMatchObject({ kind: 'hardened', profile: r.hardened, path: r.healthPath });
    expect(runtime.stop).toMatchObject({ kind: 'stop', limitMs: r.stopLimitMs });
    expect(runtime.database).toMatchObject({ kind: 'database', command: r.migrateCommand });
    const metadata = Object.fromEntries(r.checks.metadata.map((c) => [c.name, c]));
    expect(metadata.healthcheck).toMatchObject({ timing: r.healthcheck });
    expect(metadata.size).toMatchObject({ maxMb: r.sizeBudgetMb });
    expect(metadata.labels).toMatchObject({ keys: Object.keys(r.labels) });
  });

  test('the stop limit follows the app\'s drain limit, with a second of slack', () => {
    expect(resolved({ shutdownTimeoutMs: 3000 }).stopLimitMs).toBe(4000);
    const slow = resolved({ shutdownTimeoutMs: 25_000 });
    expect(slow.checks.runtime.find((c) => c.kind === 'stop')).toMatchObject({ limitMs: 26_000, title: 'docker stop exits 0 within 26 s' });
  });

  test('forbidden paths: node_modules, devDependencies\' binaries, npm, caches, build inputs, secrets; the notices ship', () => {
    const files = Object.fromEntries(r.checks.fileExistence.map((c) => [c.name, c]));
    expect(files.bundled).toMatchObject({ shouldExist: false, paths: ['/app/node_modules'] });
    expect(files['third-party-notices']).toMatchObject({ shouldExist: true, kind: 'file', paths: ['/app/THIRD-PARTY-NOTICES'] });
    expect(files['no-dev-binaries']).toMatchObject({ commands: ['jest', 'tsc', 'tsserver'], paths: [] });
    expect(files['no-package-managers']).toMatchObject({ paths: ['/usr/local/lib/node_modules/npm'], commands: ['npm', 'npx', 'corepack', 'yarn'] });
    expect(files['no-caches'].paths).toEqual(['~/.npm']);
    expect(files['no-build-inputs'].paths).toEqual(expect.arrayContaining(['/app/src', '/app/tsconfig.json', '/app/projenrc']));
    expect(files['no-secrets-or-vcs'].paths).toEqual(['/app/**/.env*', '/app/**/.git']);
    expect(files.assets).toMatchObject({ shouldExist: true, paths: ['/app/config', '/app/prompts'] });
  });

  test('without a migrate command there is no database check', () => {
    expect(resolved({ migrateCommand: undefined }).checks.runtime.map((c) => c.name)).toEqual(['healthy', 'hardened', 'stop']);
  });

  test('docs/container.md lists exactly the plan, in order', () => {
    const { files, spec } = synthContainer();
    expect(docsChecks(files['docs/container.md'])).toEqual(
      planEntries(spec.checks).map(({ category, check }) => [CATEGORY_TITLES[category], check.name]),
    );
  });

  test('the docs check is able to fail: a plan the docs were not rendered from disagrees', () => {
    const { files, spec } = synthContainer();
    const fewer = { ...spec.checks, commands: spec.checks.commands.slice(1) };
    expect(docsChecks(files['docs/container.md'])).not.toEqual(
      planEntries(fewer).map(({ category, check }) => [CATEGORY_TITLES[category], check.name]),
    );
  });

  test('one more entry in a category is one more docs row', () => {
    const more: ResolvedContainer = {
      ...r,
      checks: { ...r.checks, commands: [...r.checks.commands, { name: 'node-version', title: 'node 24', command: ['node', '-v'], expectedOutput: 'v24' }] },
    };
    const before = renderCheckRows(r);
    const after = renderCheckRows(more);
    expect(after).toHaveLength(before.length + 1);
    expect(after.filter((row) => !before.includes(row))).toEqual(['| Commands | `node-version` | node 24 |']);
  });
});

describe('parseSpec, the one reader', () => {
  const model = () => JSON.parse(JSON.stringify(resolved()));
  const json = () => specFileContent(model());

  test('accepts the resolved model under its schema version and ignores the projen marker', () => {
    expect(parseSpec({ ...json(), '//': 'marker' }, 'spec.json')).toEqual(model());
  });

  test.each([
    ['an older schema version', { ...specFileContent(resolved()), schemaVersion: SPEC_SCHEMA_VERSION - 1 }, `schemaVersion ${SPEC_SCHEMA_VERSION - 1}`],
    ['a spec from before schema versions', JSON.parse(JSON.stringify(resolved())), 'no schemaVersion'],
  ])('refuses %s in one line that says to run npx projen', (_name, spec, found) => {
    expect(() => parseSpec(spec, 'spec.json')).toThrow(new SpecError(
      `spec.json has ${found}, these tools read ${SPEC_SCHEMA_VERSION}: run npx projen to regenerate it`));
  });

  test.each([
    ['port', (s: any) => { s.port = 'x'; }, /spec.json: port: /],
    // The declaration's rules, as synthesis states them (validation.ts): before, the reader took any
    // number of workers and any path from the root.
    ['more workers than the app forks', (s: any) => { s.workers = 100; }, /spec.json: workers: must be an integer 1-64/],
    ['a health path the app refuses', (s: any) => { s.healthPath = '/a b'; }, /spec.json: healthPath: must be an absolute URL path/],
    ['a runtime image tagged latest', (s: any) => { s.baseImages.runtime = 'debian:latest'; }, /spec.json: baseImages.runtime: must be an image reference/],
    ['a check without a name', (s: any) => { delete s.checks.commands[0].name; }, /spec.json: checks.commands.0.name: /],
    ['an unknown runtime kind', (s: any) => { s.checks.runtime[0].kind = 'dance'; }, /spec.json: checks.runtime.0.kind: /],
    ['a relative path', (s: any) => { s.checks.fileExistence[0].paths = ['app']; }, /checks.fileExistence.0.paths.0/],
    ['an unknown field', (s: any) => { s.extra = 1; }, /spec.json: \(root\): /],
    ['not an object', () => 'x', /spec.json: \(root\): /],
  ])('rejects %s, naming the field', (_name, edit, message) => {
    const spec = json();
    const edited = edit(spec) ?? spec;
    expect(() => parseSpec(edited, 'spec.json')).toThrow(message);
  });
});

describe('ContainerImage.addCheck', () => {
  test('one added entry is one more plan entry and one more docs row; a duplicate name fails synthesis', () => {
    const before = synthContainer();
    const project = testProject();
    const image = new ContainerImage(project, BASE_PROPS);
    new ContainerDocs(image);
    image.addCheck('commands', { name: 'node-version', title: 'node 24', command: ['node', '-v'], expectedOutput: 'v24' });
    const out = Testing.synth(project);
    expect(out['.projen/container.json'].checks.commands).toHaveLength(before.spec.checks.commands.length + 1);
    expect(docsChecks(out['docs/container.md'])).toHaveLength(docsChecks(before.files['docs/container.md']).length + 1);
    expect(() => image.addCheck('runtime', { name: 'late', title: 'late', kind: 'stop', limitMs: 1 })).toThrow(
      'ContainerImage: "checks" cannot change once the declaration is resolved');
    const dup = new ContainerImage(testProject(), BASE_PROPS);
    dup.addCheck('runtime', { name: 'whoami', title: 'dup', kind: 'stop', limitMs: 1 });
    expect(() => dup.resolved).toThrow('ContainerImage: "checks" names must be unique across the plan, got "whoami"');
  });
});

describe('docs/container.md and the pod check', () => {
  test('say that verify needs kubectl only when the plan has a pod check', () => {
    const needsKubectl = 'so verify needs kubectl on PATH; without it, or with an overlay it cannot render, verify stops in one line before building';
    expect(synthContainer().files['docs/container.md']).not.toContain('kubectl');
    const project = testProject();
    const image = new ContainerImage(project, BASE_PROPS);
    new ContainerDocs(image);
    image.addCheck('runtime', {
      name: 'pod', title: 'pod', kind: 'pod', kustomization: 'deploy/kubernetes/overlays/production', container: 'api', databasePath: '/health',
    });
    expect(Testing.synth(project)['docs/container.md']).toContain(needsKubectl);
  });
});
