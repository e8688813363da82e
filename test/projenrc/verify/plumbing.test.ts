import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FIXTURE_BINS, fixtureSpec } from './fixture';
import { demux } from '../../../projenrc/verify/containers';
import { binNames, devDependencyBins } from '../../../projenrc/verify/dev-bins';
import { connectEngine, engineAddress, resolveDockerCli } from '../../../projenrc/verify/engine';
import { VerifyError } from '../../../projenrc/verify/errors';
import { fastHealthcheck, healthDeadlineMs } from '../../../projenrc/verify/health';
import { loadSpec, specPath, validateSpec } from '../../../projenrc/verify/load-spec';
import { parseOptions } from '../../../projenrc/verify/options';
import { forbiddenPaths, probeRequest } from '../../../projenrc/verify/paths';
import { isOk, renderTable, row, skipped, sortRows, summary } from '../../../projenrc/verify/report';

const projectRoot = join(__dirname, '..', '..', '..');

describe('spec loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-spec-'));

  test('CONTAINER_SPEC_PATH overrides projen\'s default path', () => {
    expect(specPath({})).toBe('.projen/container.json');
    expect(specPath({ CONTAINER_SPEC_PATH: '/x.json' })).toBe('/x.json');
  });

  test('a missing file is a one-line user error that says how to create it', () => {
    expect(() => loadSpec(join(dir, 'nope.json'))).toThrow(VerifyError);
    expect(() => loadSpec(join(dir, 'nope.json'))).toThrow(/no container spec at .*nope\.json: run npx projen/);
  });

  test('a valid spec loads; unknown extra fields are ignored', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ ...fixtureSpec(), somethingNew: 1 }));
    expect(loadSpec(path).imageName).toBe('course-supporter-verify-fixture');
  });

  test('a wrong or missing field is named', () => {
    expect(() => validateSpec({ ...fixtureSpec(), sizeBudgetMb: '300' }, 's.json')).toThrow('s.json: field "sizeBudgetMb" must be a number (got "300")');
    const { labels, ...noLabels } = fixtureSpec();
    void labels;
    expect(() => validateSpec(noLabels, 's.json')).toThrow('field "labels" must be an array of strings');
    expect(() => validateSpec({ ...fixtureSpec(), npmInRuntime: 'no' }, 's.json')).toThrow('field "npmInRuntime" must be true or false');
    expect(() => validateSpec({ ...fixtureSpec(), workdir: 'app' }, 's.json')).toThrow('field "workdir" must be absolute');
    expect(() => validateSpec([], 's.json')).toThrow('expected a JSON object');
  });

  test('a spec missing a field the construct writes fails naming it', () => {
    const { cmd, ...stale } = fixtureSpec();
    void cmd;
    expect(() => validateSpec(stale, 's.json')).toThrow('field "cmd" must be an array of strings');
  });
});

describe('options', () => {
  test('defaults: build, report under test-reports/, docker from PATH', () => {
    const o = parseOptions([], {}, '/repo');
    expect(o).toMatchObject({ image: undefined, docker: 'docker', reportPath: '/repo/test-reports/verify-report.json', databaseUrl: undefined });
  });

  test('--image and DOCKER_IMAGE select an existing image; the flag wins', () => {
    expect(parseOptions(['--image', 'a:1'], { DOCKER_IMAGE: 'b:2' }, '/r').image).toBe('a:1');
    expect(parseOptions(['--image=a:1'], {}, '/r').image).toBe('a:1');
    expect(parseOptions([], { DOCKER_IMAGE: 'b:2', VERIFY_DATABASE_URL: 'postgres://x', DOCKER: '/usr/bin/docker' }, '/r'))
      .toMatchObject({ image: 'b:2', databaseUrl: 'postgres://x', docker: '/usr/bin/docker' });
  });

  test('unknown arguments and missing values are errors, not ignored', () => {
    expect(() => parseOptions(['--imgae', 'x'], {}, '/r')).toThrow('unknown argument "--imgae"');
    expect(() => parseOptions(['--image'], {}, '/r')).toThrow('--image needs a value');
  });
});

describe('engine', () => {
  test('DOCKER_HOST is honoured like the docker CLI does', () => {
    expect(engineAddress({}).options).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(engineAddress({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }).label).toBe('/run/user/1000/docker.sock');
    expect(engineAddress({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }).options).toEqual({ host: '127.0.0.1', port: 2375, protocol: 'http' });
  });

  test('a missing docker CLI is one line naming $DOCKER', () => {
    expect(() => resolveDockerCli('/nonexistent/docker', {})).toThrow('docker CLI not found (DOCKER=/nonexistent/docker)');
    expect(() => resolveDockerCli('docker', { PATH: '/nonexistent' })).toThrow(VerifyError);
    expect(resolveDockerCli('node', { PATH: process.env.PATH })).toMatch(/node$/);
  });

  test('an absent socket says where we looked, what the OS said, and how to start the engine', async () => {
    await expect(connectEngine({ DOCKER_HOST: 'unix:///tmp/verify-no-such.sock' })).rejects.toThrow(
      'cannot reach the Docker engine at /tmp/verify-no-such.sock (connect ENOENT): start it with npx projen docker:engine');
  });
});

describe('devDependency binaries', () => {
  test('bin as a string is named after the package, scope dropped', () => {
    expect(binNames('@scope/tool', './cli.js')).toEqual(['tool']);
    expect(binNames('typescript', { tsc: 'bin/tsc', tsserver: 'bin/tsserver' })).toEqual(['tsc', 'tsserver']);
    expect(binNames('@types/node', undefined)).toEqual([]);
  });

  test('read from the host\'s installed manifests', () => {
    const bins = devDependencyBins(projectRoot, ['typescript', 'jest', '@types/node', 'not-installed-pkg']);
    expect(bins.typescript).toEqual(expect.arrayContaining(['tsc', 'tsserver']));
    expect(bins.jest).toEqual(['jest']);
    expect(bins['@types/node']).toEqual([]);
    expect(bins['not-installed-pkg']).toEqual([]);
  });
});

describe('probe request', () => {
  test('asks about devDependencies, forbidden paths, assets, entry point and every binary', () => {
    const req = probeRequest(fixtureSpec(), FIXTURE_BINS);
    expect(req.paths).toEqual(expect.arrayContaining([
      '/app/node_modules/typescript', '/app/node_modules/@types/node', '/app/.git', '/app/test', '/app/projenrc',
      '/app/.projenrc.ts', '/app/src', '/app/node_modules/.cache', '/app/config', '/app/lib/index.js', '/usr/local/lib/node_modules/npm',
    ]));
    expect(req.commands).toEqual(expect.arrayContaining(['tsc', 'tsserver', 'jest', 'ts-node', 'npm', 'npx', 'corepack', 'yarn']));
    expect(req.homeSubpaths).toEqual(['.npm']);
  });

  test('forbidden paths are normalised and deduplicated', () => {
    expect(forbiddenPaths(fixtureSpec({ forbiddenPaths: ['/test/', './.git', 'docs'] }))).toEqual(['test', '.git', 'docs']);
  });
});

describe('health timing', () => {
  test('keeps the image\'s test and the spec\'s timing, polls every 0.5 s', () => {
    const hc = fastHealthcheck(['CMD', 'node', 'hc.js'], { intervalS: 30, timeoutS: 3, startPeriodS: 5, retries: 3 });
    expect(hc).toEqual({ Test: ['CMD', 'node', 'hc.js'], Interval: 500e6, Timeout: 3e9, StartPeriod: 5e9, Retries: 3 });
    expect(healthDeadlineMs({ intervalS: 30, timeoutS: 3, startPeriodS: 5, retries: 3 })).toBe(20_500);
  });
});

describe('log demultiplexing', () => {
  test('splits stdout and stderr frames', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demux(Buffer.concat([frame(1, 'app\n'), frame(2, 'warn\n'), frame(1, '10001\n')])))
      .toEqual({ stdout: 'app\n10001\n', stderr: 'warn\n' });
  });
});

describe('report', () => {
  const rows = [
    row('10a', 'db', 'x', 'y', true),
    row('2', 'user', 'app', 'root', false),
    skipped('10b', 'db', 'x', 'skipped'),
    row('4a', 'dev', 'none', 'none', true),
  ];

  test('rows sort by check number then letter', () => {
    expect(sortRows(rows).map((r) => r.id)).toEqual(['2', '4a', '10a', '10b']);
  });

  test('a failure fails the run; a skip alone does not; an empty run is not ok', () => {
    expect(isOk(rows)).toBe(false);
    expect(isOk([rows[0], rows[2]])).toBe(true);
    expect(isOk([])).toBe(false);
    expect(summary(rows)).toBe('FAILED: 2 passed, 1 failed, 1 skipped');
  });

  test('the table has a header, a rule and one line per short row; long cells wrap', () => {
    const table = renderTable([row('1', 'build', 'exits 0', 'exit 0', true), row('2', 'user', 'a '.repeat(40).trim(), 'x', false)], 20);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^# +\| check +\| expected +\| measured +\| result$/);
    expect(lines[1]).toMatch(/^-+-\+-/);
    expect(lines[2]).toMatch(/^1 +\| build +\| exits 0 +\| exit 0 +\| PASS$/);
    expect(lines.filter((l) => l.includes('FAIL'))).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(4);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(90);
  });
});
