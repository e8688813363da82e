import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { javascript, typescript } from 'projen';
import { ContainerImage } from '../../../packages/projen-container/src';
import { platformTag } from '../../../packages/projen-container/src/container/image-tags';
import { KubernetesManifests } from '../../../packages/projen-container/src/deploy';
import type { Report } from '../../../packages/projen-container/src/verify';
import { main } from '../../../packages/projen-container/src/verify';
import { describeIfEngine, removeImages } from '../verify/engine-helpers';

// project.synth() would otherwise run npm install in the temp project.
process.env.PROJEN_DISABLE_POST = 'true';

const ROOT = join(__dirname, '..', '..', '..');
const TAG = 'greeter-e2e:second-project';
const NATIVE_PLATFORM = process.arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';

/** A tiny app that is not this repository's: its own name, port, user, health path and assets; no database, no metrics. */
const APP = {
  'src/index.ts': [
    "import { createServer } from 'http';",
    '',
    'const server = createServer((req, res) => {',
    "  const ok = req.url === '/ready';",
    "  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });",
    "  res.end(JSON.stringify({ status: ok ? 'ok' : 'not found' }));",
    '});',
    "server.listen(Number(process.env.PORT ?? 9090), '0.0.0.0');",
    "process.on('SIGTERM', () => server.close(() => process.exit(0)));",
    '',
  ].join('\n'),
  'public/hello.txt': 'hello\n',
  'templates/greeting.txt': 'Hello, {{name}}!\n',
};

/** The second project as its own .projenrc would declare it; a fresh object per synthesis, as `npx projen` makes one. */
function declare(outdir: string): { project: typescript.TypeScriptAppProject; image: ContainerImage } {
  const project = new typescript.TypeScriptAppProject({
    name: 'greeter',
    minNodeVersion: '24.0.0',
    defaultReleaseBranch: 'main',
    outdir,
    repository: 'https://github.com/acme/greeter',
    packageManager: javascript.NodePackageManager.NPM,
    entrypoint: 'lib/index.js',
    sampleCode: false,
    projenDevDependency: false,
    projenrcTs: false,
    projenrcJs: false,
    github: false,
    jest: false,
    eslint: false,
    prettier: false,
    typescriptVersion: '~6.0.3',
    devDeps: ['@types/node@^24'],
  });
  const image = new ContainerImage(project, {
    imageName: 'greeter-e2e',
    port: 9090,
    user: 'greeter',
    uid: 20001,
    workers: 1,
    healthPath: '/ready',
    shutdownTimeoutMs: 2000,
    sizeBudgetMb: 150,
    assets: ['public', 'templates'],
    // One platform, the engine's own: the single-platform path, and no emulated build in this test.
    platforms: [NATIVE_PLATFORM],
  });
  // Its Deployment: verify's pod check runs the image with the production pod's settings.
  new KubernetesManifests(image);
  return { project, image };
}

/** A task of the second project, step by step as projen runs it, with this repository's tools on PATH. */
function runTask(outdir: string, name: string, env: Record<string, string>): void {
  const task = JSON.parse(readFileSync(join(outdir, '.projen/tasks.json'), 'utf8')).tasks[name];
  for (const step of task.steps as { exec?: string }[]) {
    if (!step.exec) continue;
    const r = spawnSync('sh', ['-c', step.exec], {
      cwd: outdir,
      stdio: ['ignore', 2, 2],
      env: { ...process.env, ...task.env, ...env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
      timeout: 600_000,
    });
    if (r.status !== 0) throw new Error(`${name}: "${step.exec}" exited ${r.status ?? r.signal}`);
  }
}

describeIfEngine('a second, different project builds and verifies its image with the construct, end to end', () => {
  jest.setTimeout(900_000);
  const outdir = mkdtempSync(join(tmpdir(), 'second-project-'));
  let report: Report;
  let code: number;

  beforeAll(async () => {
    for (const [path, text] of Object.entries(APP)) {
      mkdirSync(join(outdir, path, '..'), { recursive: true });
      writeFileSync(join(outdir, path), text);
    }
    declare(outdir).project.synth();
    const lock = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: outdir, encoding: 'utf8', timeout: 300_000 });
    if (lock.status !== 0) throw new Error(`npm could not lock the second project: ${lock.stderr}`);
    // docker:lock's own entry point pins the bases this engine serves; the synthesis after it renders them.
    runTask(outdir, 'docker:lock', {});
    declare(outdir).project.synth();
    runTask(outdir, 'docker:build', { VERSION: 'second-project' });
    const before = process.cwd();
    process.chdir(outdir);
    try {
      code = await main(['--image', TAG], {}, { out: () => undefined, err: () => undefined });
    } finally {
      process.chdir(before);
    }
    report = JSON.parse(readFileSync(join(outdir, 'test-reports/verify-report.json'), 'utf8'));
  });

  afterAll(() => removeImages([TAG, platformTag('greeter-e2e', 'second-project', NATIVE_PLATFORM), 'greeter-e2e:latest']));

  test('every check of its own plan passes', () => {
    expect(report.rows.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(code).toBe(0);
  });

  test('the plan is the second declaration\'s, not this repository\'s', () => {
    const measured = Object.fromEntries(report.rows.map((r) => [r.id, r.measured]));
    expect(measured['commands/whoami']).toBe('"greeter"');
    expect(measured['commands/uid']).toBe('"20001"');
    expect(report.rows.map((r) => r.id)).toEqual(expect.arrayContaining(['runtime/healthy', 'runtime/hardened', 'runtime/stop', 'runtime/pod', 'metadata/size']));
    expect(report.rows.find((r) => r.id === 'metadata/exposed-port')?.expected).toContain('9090');
    // No database: the readiness probe asks the health path, which answers 200.
    expect(measured['runtime/pod']).toContain('readiness /ready → 200');
    expect(report.images.map((i) => [i.platform, i.image])).toEqual([[NATIVE_PLATFORM, TAG]]);
  });

  test('its Dockerfile copies its own assets and nothing of this repository', () => {
    const dockerfile = readFileSync(join(outdir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('COPY public ./public');
    expect(dockerfile).toContain('COPY templates ./templates');
    expect(dockerfile).toContain('USER 20001:20001');
    expect(dockerfile).toContain('EXPOSE 9090');
    expect(dockerfile.split('\n').slice(1).join('\n')).not.toMatch(/course.?supporter|projenrc|prompts|migrat/i);
  });
});
