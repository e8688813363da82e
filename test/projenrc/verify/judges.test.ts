import { runInNewContext } from 'vm';
import { cleanFiles, FIXTURE_PLAN } from './fixture';
import type { CommandCheck, MetadataCheck, RuntimeCheck } from '../../../packages/projen-container/src/container/check-plan';
import { judgeCommand } from '../../../packages/projen-container/src/verify/categories/commands';
import { judgeFileExistence } from '../../../packages/projen-container/src/verify/categories/file-existence';
import { ImageFacts, judgeMetadata } from '../../../packages/projen-container/src/verify/categories/metadata';
import { dbCheck, describeHttp, judgeRuntime, redact, RuntimeOutcome, ServedFacts } from '../../../packages/projen-container/src/verify/categories/runtime';
import { judgeBuild, judgeGivenImage, judgePlatform } from '../../../packages/projen-container/src/verify/image';
import { Row } from '../../../packages/projen-container/src/verify/report';

const plan = FIXTURE_PLAN;
const entry = <T extends { name: string }>(list: readonly T[], name: string): T => {
  const found = list.find((c) => c.name === name);
  if (!found) throw new Error(`no entry ${name} in the fixture plan`);
  return found;
};

describe('commands: judgeCommand', () => {
  const whoami: CommandCheck = entry(plan.commands, 'whoami');

  test('exit 0 and the expected trimmed output pass; the row is named for the entry and titled by it', () => {
    expect(judgeCommand(whoami, { exitCode: 0, stdout: 'app\n', stderr: '', oomKilled: false })).toEqual({
      id: 'commands/whoami', title: whoami.title, expected: '`whoami` prints "app"', measured: '"app"', status: 'pass',
    });
  });

  test('other output fails and shows what was printed', () => {
    expect(judgeCommand(whoami, { exitCode: 0, stdout: 'root\n', stderr: '', oomKilled: false })).toMatchObject({ status: 'fail', measured: '"root"' });
  });

  test('a non-zero exit fails even with the right output, and shows stderr', () => {
    expect(judgeCommand(whoami, { exitCode: 127, stdout: 'app', stderr: 'exec: "whoami": executable file not found in $PATH', oomKilled: false }))
      .toMatchObject({ status: 'fail', measured: 'exit 127: exec: "whoami": executable file not found in $PATH' });
  });

  test('an engine error is a failed row, not a crash', () => {
    expect(judgeCommand(whoami, new Error('no such image'))).toMatchObject({ status: 'fail', measured: 'error: no such image' });
  });
});

describe('fileExistence: judgeFileExistence', () => {
  const judgeAll = (facts = cleanFiles()) => plan.fileExistence.map((c) => judgeFileExistence(c, facts));

  test('a clean image passes every entry', () => {
    expect(judgeAll().filter((r) => r.status !== 'pass')).toEqual([]);
    expect(judgeFileExistence(entry(plan.fileExistence, 'assets'), cleanFiles()).measured).toBe('all present');
    expect(judgeFileExistence(entry(plan.fileExistence, 'no-caches'), cleanFiles()).measured).toBe('none present');
  });

  test('typescript left in node_modules fails the dev-dependency entry only, naming it', () => {
    const rows = judgeAll(cleanFiles({ '/app/node_modules/typescript': [{ path: '/app/node_modules/typescript', kind: 'dir' }] }));
    expect(rows.filter((r) => r.status === 'fail').map((r) => [r.id, r.measured]))
      .toEqual([['fileExistence/no-dev-dependencies', '/app/node_modules/typescript']]);
  });

  test('a dev binary on PATH fails naming where it is', () => {
    const row = judgeFileExistence(entry(plan.fileExistence, 'no-dev-binaries'), cleanFiles({}, { tsc: '/usr/local/bin/tsc' }));
    expect(row).toMatchObject({ status: 'fail', measured: 'tsc at /usr/local/bin/tsc' });
  });

  test('~/ is every home: a cache under any of them fails', () => {
    const row = judgeFileExistence(entry(plan.fileExistence, 'no-caches'), cleanFiles({ '/home/app/.npm': [{ path: '/home/app/.npm', kind: 'dir' }] }));
    expect(row).toMatchObject({ status: 'fail', measured: '/home/app/.npm' });
  });

  test('every match of a ** pattern is an offender; long lists are cut', () => {
    const envs = ['/app/.env', '/app/config/.env.local', '/app/a/.env', '/app/b/.env', '/app/c/.env', '/app/d/.env', '/app/e/.env'];
    const row = judgeFileExistence(entry(plan.fileExistence, 'no-secrets-or-vcs'),
      cleanFiles({ '/app/**/.env*': envs.map((path) => ({ path, kind: 'file' as const })) }));
    expect(row).toMatchObject({ status: 'fail', measured: '/app/.env, /app/config/.env.local, /app/a/.env, /app/b/.env, /app/c/.env, /app/d/.env (+1 more)' });
  });

  test('a walk stopped at its bound cannot prove absence', () => {
    const facts = cleanFiles();
    const truncated = { ...facts, targets: { ...facts.targets, '/app/**/.git': [{ pattern: '/app/**/.git', matches: [], truncated: true }] } };
    expect(judgeFileExistence(entry(plan.fileExistence, 'no-secrets-or-vcs'), truncated).status).toBe('fail');
  });

  test('a missing asset and a wrong kind fail a shouldExist entry', () => {
    expect(judgeFileExistence(entry(plan.fileExistence, 'assets'), cleanFiles({ '/app/config': [] })))
      .toMatchObject({ status: 'fail', measured: '/app/config missing' });
    expect(judgeFileExistence(entry(plan.fileExistence, 'entrypoint'), cleanFiles({ '/app/lib/index.js': [{ path: '/app/lib/index.js', kind: 'dir' }] })))
      .toMatchObject({ status: 'fail', measured: '/app/lib/index.js is a dir' });
  });

  test('a pattern the probe did not report on fails instead of reading as absent', () => {
    const extra = { name: 'no-docs', title: 'no docs', shouldExist: false, paths: ['/app/docs'] };
    expect(judgeFileExistence(extra, cleanFiles())).toMatchObject({ status: 'fail', measured: '/app/docs not probed' });
  });

  test('a broken probe fails the entry with its error', () => {
    expect(judgeFileExistence(entry(plan.fileExistence, 'assets'), new Error('file probe exited 127')))
      .toMatchObject({ status: 'fail', measured: 'error: file probe exited 127' });
  });
});

describe('metadata: judgeMetadata', () => {
  const good: ImageFacts = {
    config: {
      User: '10001:10001',
      ExposedPorts: { '8000/tcp': {} },
      Env: ['PATH=/usr/bin', 'NODE_ENV=production', 'PORT=8000'],
      Cmd: ['node', 'lib/index.js'],
      Entrypoint: null,
      Labels: { 'org.opencontainers.image.title': 'x', 'org.opencontainers.image.source': 'https://x' },
      Healthcheck: { Test: ['CMD', 'node', '-e', '...'], Interval: 30e9, Timeout: 3e9, StartPeriod: 5e9, Retries: 3 },
    },
    sizeBytes: 200e6,
    base: { ref: 'debian:trixie-slim', sizeBytes: 80e6 },
  };
  const judge = (name: string, facts: ImageFacts = good): Row => judgeMetadata(entry(plan.metadata, name) as MetadataCheck, facts);
  const withConfig = (config: Partial<ImageFacts['config']>): ImageFacts => ({ ...good, config: { ...good.config, ...config } });

  test('a well-formed image passes every entry', () => {
    expect(plan.metadata.map((c) => judgeMetadata(c, good)).filter((r) => r.status !== 'pass')).toEqual([]);
    expect(judge('size').measured).toBe('200.0 MB; payload 120.0 MB over debian:trixie-slim (80.0 MB)');
  });

  test('exposedPort: another port fails', () => {
    expect(judge('exposed-port', withConfig({ ExposedPorts: { '3000/tcp': {} } }))).toMatchObject({ status: 'fail', measured: 'EXPOSE 3000/tcp' });
  });

  test('cmd: shell form, a shell entrypoint and another command each fail', () => {
    expect(judge('exec-cmd', withConfig({ Cmd: ['/bin/sh', '-c', 'npm start'] })).status).toBe('fail');
    expect(judge('exec-cmd', withConfig({ Entrypoint: ['/bin/sh', '-c'] }))).toMatchObject({
      status: 'fail', measured: 'CMD ["node","lib/index.js"], ENTRYPOINT ["/bin/sh","-c"]',
    });
    expect(judge('exec-cmd', withConfig({ Cmd: ['node', 'dist/main.js'] })).status).toBe('fail');
  });

  test('env: a missing or different value fails, naming it', () => {
    expect(judge('env', withConfig({ Env: ['PORT=3000'] }))).toMatchObject({ status: 'fail', measured: 'wrong: NODE_ENV=(unset) PORT="3000"' });
  });

  test('user: root, a name instead of the plan\'s uid:gid, and 0 each fail', () => {
    expect(judge('user', withConfig({ User: '' }))).toMatchObject({ status: 'fail', measured: 'USER unset: root' });
    expect(judge('user', withConfig({ User: 'app' }))).toMatchObject({ status: 'fail', measured: 'USER app' });
    const rootPlan: MetadataCheck = { name: 'user', title: 'root', field: 'user', user: '0:0' };
    expect(judgeMetadata(rootPlan, withConfig({ User: '0:0' })).status).toBe('fail');
  });

  test('labels: a missing or blank label fails', () => {
    expect(judge('labels', withConfig({ Labels: { 'org.opencontainers.image.title': ' ' } }))).toMatchObject({
      status: 'fail', measured: 'missing or empty: org.opencontainers.image.title, org.opencontainers.image.source',
    });
  });

  test('noSecretEnv: keys matching the plan\'s pattern fail; an invalid pattern is named', () => {
    expect(judge('no-secret-env', withConfig({ Env: ['API_TOKEN=x', 'DB_PASSWORD=y', 'PORT=1'] })))
      .toMatchObject({ status: 'fail', measured: 'API_TOKEN, DB_PASSWORD' });
    expect(judge('no-secret-env', withConfig({ Env: ['api_key=x', 'PORT=1'] }))).toMatchObject({ status: 'fail', measured: 'api_key' });
    const bad: MetadataCheck = { name: 'no-secret-env', title: 't', field: 'noSecretEnv', pattern: '(' };
    expect(judgeMetadata(bad, good).measured).toMatch(/^error: pattern "\(" is not a regular expression/);
  });

  test('healthcheck: none, and a different timing, each fail', () => {
    expect(judge('healthcheck', withConfig({ Healthcheck: { Test: ['NONE'] } }))).toMatchObject({ status: 'fail', measured: 'none' });
    expect(judge('healthcheck', withConfig({ Healthcheck: { Test: ['CMD', 'true'], Interval: 10e9, Timeout: 3e9, StartPeriod: 5e9, Retries: 3 } })))
      .toMatchObject({ status: 'fail', measured: 'HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3' });
  });

  test('healthcheck: options left out mean Docker\'s defaults, not zero', () => {
    const defaults: MetadataCheck = { name: 'hc', title: 't', field: 'healthcheck', timing: { intervalS: 30, timeoutS: 30, startPeriodS: 0, retries: 3 } };
    expect(judgeMetadata(defaults, withConfig({ Healthcheck: { Test: ['CMD', 'true'] } })).status).toBe('pass');
  });

  test('size: over the budget (10^6-byte MB) fails; an absent base makes the payload unknown, not zero', () => {
    const row = judge('size', { ...good, sizeBytes: 250_000_001, base: { ref: 'debian:trixie-slim' } });
    expect(row).toMatchObject({ status: 'fail', expected: '≤ 250 MB' });
    expect(row.measured).toBe('250.0 MB; payload unknown (debian:trixie-slim not present locally)');
  });
});

describe('runtime: judgeRuntime', () => {
  const healthy: ServedFacts = {
    health: { status: 'healthy', elapsedMs: 1200, detail: '' },
    http: { status: 200, body: '{"status":"ok","checks":{"db":"ok"}}' },
    url: 'http://127.0.0.1:9999/health',
  };
  const judge = (name: string, outcome: RuntimeOutcome): Row => judgeRuntime(entry(plan.runtime, name) as RuntimeCheck, outcome);

  test('healthy: Docker health and a 200 pass, as one row', () => {
    expect(judge('healthy', { kind: 'served', served: healthy })).toMatchObject({
      id: 'runtime/healthy', status: 'pass', measured: 'healthy after 1.2 s; GET http://127.0.0.1:9999/health → 200 {"status":"ok","checks":{"db":"ok"}}',
    });
  });

  test('healthy: healthy but the port answering 503 fails', () => {
    expect(judge('healthy', { kind: 'served', served: { ...healthy, http: { status: 503, body: 'down' } } }).status).toBe('fail');
  });

  test('hardened: an exited container fails and shows why; the profile is in the expectation', () => {
    const row = judge('hardened', { kind: 'served', served: { health: { status: 'exited (1)', elapsedMs: 300, detail: 'EROFS: read-only file system' }, url: 'port 1/health' } });
    expect(row).toMatchObject({ status: 'fail' });
    expect(row.measured).toContain('EROFS');
    expect(row.measured).toContain('not attempted (container not running)');
    expect(row.expected).toBe('as 4242:4242 --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges: Docker health "healthy"; GET /health → 200');
  });

  test('stop: SIGKILL after the timeout fails, and so does a clean exit slower than the limit', () => {
    expect(judge('stop', { kind: 'stopped', stop: { exitCode: 0, elapsedMs: 300, timeoutS: 10 } }).status).toBe('pass');
    expect(judge('stop', { kind: 'stopped', stop: { exitCode: 137, elapsedMs: 10_250, timeoutS: 10 } }))
      .toMatchObject({ status: 'fail', measured: 'exit 137 (SIGKILL after the 10 s timeout) after 10.25 s' });
    expect(judge('stop', { kind: 'stopped', stop: { exitCode: 0, elapsedMs: 2500, timeoutS: 10 } }).status).toBe('fail');
  });

  test('stop: a container that is not running is a skipped row', () => {
    expect(judge('stop', { kind: 'skipped', reason: 'container not running (exited 1)' })).toMatchObject({ status: 'skip' });
  });

  test('database: a failed migration fails, and passwords never reach the text', () => {
    const row = judge('database', {
      kind: 'migrated',
      migrate: { exitCode: 1, stdout: '', stderr: 'cannot connect to postgres://app:s3cret@db:5432/app', oomKilled: false },
      served: healthy,
    });
    expect(row.status).toBe('fail');
    expect(row.measured).toContain('postgres://app:***@db:5432/app');
    expect(row.measured).not.toContain('s3cret');
  });

  test('database: served without checks.db "ok" fails; without a URL it is skipped', () => {
    const skippedDb = { ...healthy, http: { status: 200, body: '{"checks":{"db":"skipped"}}' } };
    expect(judge('database', { kind: 'migrated', migrate: { exitCode: 0, stdout: '', stderr: '', oomKilled: false }, served: skippedDb }).status).toBe('fail');
    expect(judge('database', { kind: 'migrated', migrate: { exitCode: 0, stdout: '', stderr: '', oomKilled: false }, served: healthy }).status).toBe('pass');
    expect(judge('database', { kind: 'skipped', reason: 'skipped: VERIFY_DATABASE_URL not set' }).status).toBe('skip');
  });

  test('a broken measurement, or one of the wrong kind, is a failed row', () => {
    expect(judge('healthy', { kind: 'broken', error: new Error('create: no such image') })).toMatchObject({ status: 'fail', measured: 'error: create: no such image' });
    expect(judge('stop', { kind: 'served', served: healthy }).measured).toBe('error: verifier bug: a served outcome for a stop check');
  });

  test('helpers: redact and dbCheck', () => {
    expect(redact('postgres://u:p@h/db and postgresql://x@h')).toBe('postgres://u:***@h/db and postgresql://x@h');
    expect(dbCheck('not json')).toBeUndefined();
  });
});

describe('the image precondition', () => {
  const info = { Id: 'sha256:0123456789abcdef', Size: 123e6, Os: 'linux', Architecture: 'amd64' } as Parameters<typeof judgeGivenImage>[1];

  test('a given image must be present; verify never pulls', () => {
    expect(judgeGivenImage('x:1', info)).toMatchObject({ id: 'image/given', status: 'pass', measured: '0123456789ab, 123.0 MB' });
    expect(judgeGivenImage('x:1', undefined)).toMatchObject({ id: 'image/given', status: 'fail', measured: 'not found (verify does not pull)' });
  });

  test('a build must exit 0 and tag every platform\'s image', () => {
    const both = [{ tag: 'x:1-amd64', info }, { tag: 'x:1-arm64', info }];
    expect(judgeBuild({ exitCode: 0, elapsedMs: 1500 }, both)).toMatchObject({ id: 'image/build', status: 'pass', expected: 'npx projen docker:build exits 0 and tags x:1-amd64, x:1-arm64' });
    expect(judgeBuild({ exitCode: 0, elapsedMs: 1500 }, [both[0], { tag: 'x:1-arm64', info: undefined }]))
      .toMatchObject({ status: 'fail', measured: 'exit 0 in 1.5 s; but x:1-arm64 missing' });
    expect(judgeBuild({ exitCode: 2, elapsedMs: 1500 }, both).status).toBe('fail');
  });

  test('each image must be its platform\'s, and the platform a declared one', () => {
    const declared = ['linux/amd64', 'linux/arm64'];
    const arm = { ...info!, Os: 'linux', Architecture: 'arm64' };
    expect(judgePlatform(declared, 'linux/arm64', arm)).toMatchObject({ id: 'image/platform', status: 'pass', measured: 'linux/arm64' });
    expect(judgePlatform(declared, 'linux/amd64', arm)).toMatchObject({ status: 'fail', expected: 'linux/amd64', measured: 'linux/arm64' });
    expect(judgePlatform(['linux/amd64'], 'linux/arm64', arm))
      .toMatchObject({ status: 'fail', measured: 'linux/arm64, not among the declared linux/amd64' });
  });
});

describe('an HTTP probe that got no answer', () => {
  // node's errors reach a caller in a vm context (jest) from another realm, where `instanceof Error` is false.
  test('is described as its error, whatever realm the error comes from', () => {
    const refused = runInNewContext('new Error("connect ECONNREFUSED 127.0.0.1:8000")') as Error;
    expect(refused instanceof Error).toBe(false);
    expect(describeHttp(refused)).toBe('error: connect ECONNREFUSED 127.0.0.1:8000');
    expect(describeHttp({ status: 200, body: 'ok' })).toBe('200 ok');
  });
});
