import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildImage, describeIfEngine, DOCKER, FIXTURE_DIR, labelledContainers, removeImages } from './engine-helpers';
import { FIXTURE_PLAN, fixtureSpec } from './fixture';
import { planEntries } from '../../../packages/projen-container/src/container/check-plan';
import { specFileContent } from '../../../packages/projen-container/src/container/resolved-container';
import { RUN_LABEL } from '../../../packages/projen-container/src/engine';
import { Io, main, Report, reportError, VerifyError } from '../../../packages/projen-container/src/verify';

const ROOT = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
const specFile = join(dir, 'container.json');
writeFileSync(specFile, JSON.stringify(specFileContent(fixtureSpec())));

function captureIo(): Io & { lines: { out: string[]; err: string[] } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) };
}

/** The CLI as the projen task runs it: the package's compiled tool (the build compiles the package first). */
function cliArgs(...args: string[]): string[] {
  return [join(ROOT, 'packages/projen-container/lib/verify/cli.js'), ...args];
}
const cliEnv = (env: NodeJS.ProcessEnv) => ({ ...process.env, ...env });

describe('user errors are one line, no stack', () => {
  test('missing spec file', async () => {
    const io = captureIo();
    const err = await main([], { CONTAINER_SPEC_PATH: join(dir, 'absent.json') }, io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyError);
    expect(reportError(err, io)).toBe(2);
    expect(io.lines.err).toEqual([
      `docker:verify: no container spec at ${join(dir, 'absent.json')}: run npx projen to synthesize it (CONTAINER_SPEC_PATH overrides the path)`,
    ]);
  });

  test('docker CLI missing, when verify has to build', async () => {
    await expect(main([], { CONTAINER_SPEC_PATH: specFile, DOCKER: '/nonexistent/docker' })).rejects.toThrow(
      'docker CLI not found (DOCKER=/nonexistent/docker)');
  });

  test('a bad argument', async () => {
    await expect(main(['--imgae', 'x'], { CONTAINER_SPEC_PATH: specFile })).rejects.toThrow(new VerifyError('unknown argument "--imgae"; try --help'));
  });

  test('the real CLI prints exactly one line and exits 2', () => {
    const r = spawnSync(process.execPath, cliArgs(), {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      // The engine is found the docker CLI's way, from DOCKER_HOST.
      env: cliEnv({ CONTAINER_SPEC_PATH: specFile, DOCKER_HOST: 'unix:///tmp/verify-absent.sock' }),
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `docker:verify: cannot reach the Docker engine at /tmp/verify-absent.sock (connect ENOENT): ${fixtureSpec().engineHelp}`,
    ]);
  });
});

describeIfEngine('the CLI against a fixture image', () => {
  const tag = 'course-supporter-verify-fixture:cli';
  const env = { CONTAINER_SPEC_PATH: specFile, DOCKER };

  beforeAll(() => buildImage(tag, readFileSync(join(FIXTURE_DIR, 'Dockerfile'), 'utf8')), 180_000);
  afterAll(() => removeImages([tag]));

  test('--image: table on stdout, JSON report written, exit 0', async () => {
    const io = captureIo();
    const reportPath = join(dir, 'report.json');
    expect(await main(['--image', tag, '--report', reportPath], env, io)).toBe(0);
    const out = io.lines.out.join('\n');
    // The tag is wider than its column: the row wraps after the column's width.
    expect(out).toMatch(/^all +\| image\/given +\| course-supporter-verify-fixture:c\S* +\| [0-9a-f]{12}, [\d.]+ MB +\| PASS$/m);
    expect(out).toMatch(/^linux\/amd64 \| image\/platform +\| linux\/amd64 +\| linux\/amd64 +\| PASS$/m);
    expect(out).toMatch(/^linux\/amd64 \| runtime\/database +\| .* +\| skipped: VERIFY_DATABASE_URL not set +\| SKIP$/m);
    expect(out).toContain(`report: ${reportPath}`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(report).toMatchObject({ images: [{ platform: 'linux/amd64', image: tag, imageId: expect.stringMatching(/^sha256:/) }], ok: true, engine: { reach: 'host' } });
    expect(report.rows.map((r) => r.id)).toEqual(['image/given', 'image/platform', ...planEntries(FIXTURE_PLAN).map(({ category, check }) => `${category}/${check.name}`)]);
    expect(labelledContainers(`${RUN_LABEL}=${report.runId}`)).toEqual([]);
  });

  test('an image that is not there fails image/given and skips every plan entry', async () => {
    const io = captureIo();
    expect(await main(['--image', 'course-supporter-verify-fixture:absent', '--report', join(dir, 'r2.json')], env, io)).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'r2.json'), 'utf8')) as Report;
    expect(report.rows[0]).toMatchObject({ id: 'image/given', status: 'fail', measured: 'not found (verify does not pull)' });
    expect(report.rows.slice(1).map((r) => r.status)).toEqual(planEntries(FIXTURE_PLAN).map(() => 'skip'));
  });

  test('an image of a platform the spec does not declare fails image/platform and skips every plan entry', async () => {
    const armOnly = join(dir, 'arm-only.json');
    writeFileSync(armOnly, JSON.stringify(specFileContent({ ...fixtureSpec(), platforms: ['linux/arm64'] })));
    const io = captureIo();
    expect(await main(['--image', tag, '--report', join(dir, 'r4.json')], { ...env, CONTAINER_SPEC_PATH: armOnly }, io)).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'r4.json'), 'utf8')) as Report;
    expect(report.rows[1]).toMatchObject({
      platform: 'linux/amd64', id: 'image/platform', status: 'fail', measured: 'linux/amd64, not among the declared linux/arm64',
    });
    expect(report.rows.slice(2).map((r) => r.status)).toEqual(planEntries(FIXTURE_PLAN).map(() => 'skip'));
  });

  test('Ctrl-C mid-run removes every container of the run and exits 130', async () => {
    const child = spawn(process.execPath, cliArgs('--image', tag, '--report', join(dir, 'r3.json')), { cwd: ROOT, env: cliEnv(env) });
    let stderr = '';
    const runId = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const id = /docker:verify: run (\S+) /.exec(stderr)?.[1];
        if (id && stderr.includes('checking')) resolve(id);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    // Wait until the run's containers exist, so the interrupt has something to clean up.
    for (let i = 0; i < 50 && labelledContainers(`${RUN_LABEL}=${runId}`).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(labelledContainers(`${RUN_LABEL}=${runId}`).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(labelledContainers(`${RUN_LABEL}=${runId}`)).toEqual([]);
  });
});
