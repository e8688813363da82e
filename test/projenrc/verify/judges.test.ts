import { cleanFacts, FIXTURE_BINS, fixtureSpec } from './fixture';
import { judgeAssets } from '../../../projenrc/verify/checks/assets';
import { dbCheck, judgeDatabase, redact } from '../../../projenrc/verify/checks/database';
import { judgeDevPackages, list } from '../../../projenrc/verify/checks/dev-packages';
import { judgeServed } from '../../../projenrc/verify/checks/health';
import { ImageConfig, judgeMetadata } from '../../../projenrc/verify/checks/metadata';
import { judgeSize, mb } from '../../../projenrc/verify/checks/size';
import { judgeStop } from '../../../projenrc/verify/checks/stop';
import { judgeUser } from '../../../projenrc/verify/checks/user';
import { Row } from '../../../projenrc/verify/report';

const spec = fixtureSpec();
const byId = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.id, r]));
const failing = (rows: Row[]) => rows.filter((r) => r.status === 'fail').map((r) => r.id);

describe('check 2: judgeUser', () => {
  test('app user with the spec uid passes', () => {
    expect(failing(judgeUser(spec, { configUser: 'app', whoami: 'app\n', uid: '10001\n' }))).toEqual([]);
  });

  test('numeric config User (uid or uid:gid) is accepted', () => {
    expect(failing(judgeUser(spec, { configUser: '10001:10001', whoami: 'app', uid: '10001' }))).toEqual([]);
  });

  test('root is rejected on every row and the measured values say so', () => {
    const rows = judgeUser(spec, { configUser: '', whoami: 'root', uid: '0' });
    expect(failing(rows)).toEqual(['2a', '2b', '2c']);
    expect(byId(rows)['2b'].measured).toBe('User: (unset: root)');
  });

  test('a user named app that maps to uid 0 is caught by id -u', () => {
    expect(failing(judgeUser(spec, { configUser: 'app', whoami: 'app', uid: '0' }))).toEqual(['2c']);
  });

  test('a uid other than the spec one fails (file ownership was chosen for the spec uid)', () => {
    expect(failing(judgeUser(spec, { configUser: 'app', whoami: 'app', uid: '1000' }))).toEqual(['2c']);
  });

  test('USER 0 in the config is rejected even if whoami has been faked', () => {
    expect(failing(judgeUser(spec, { configUser: '0', whoami: 'app', uid: '10001' }))).toEqual(['2b']);
  });
});

describe('check 3: judgeSize', () => {
  test('MB are 10^6 bytes', () => {
    expect(mb(250_000_000)).toBe('250.0 MB');
  });

  test('within budget, with payload over the runtime base', () => {
    const r = judgeSize(spec, 200e6, 80e6);
    expect(r.status).toBe('pass');
    expect(r.measured).toBe('200.0 MB; payload 120.0 MB over debian:trixie-slim (80.0 MB)');
  });

  test('over budget fails; an absent base makes the payload unknown, not zero', () => {
    const r = judgeSize(spec, 250_000_001, undefined);
    expect(r.status).toBe('fail');
    expect(r.expected).toBe('≤ 250 MB');
    expect(r.measured).toContain('payload unknown (debian:trixie-slim not present locally)');
  });
});

describe('check 4: judgeDevPackages', () => {
  test('a clean image passes every row', () => {
    expect(failing(judgeDevPackages(spec, FIXTURE_BINS, cleanFacts()))).toEqual([]);
  });

  test('typescript left in node_modules, with its binaries, is named', () => {
    const rows = byId(judgeDevPackages(spec, FIXTURE_BINS, cleanFacts({
      kinds: { '/app/node_modules/typescript': 'dir' },
      binEntries: ['tsc', 'tsserver', 'node-pg-migrate'],
      onPath: { tsc: '/usr/local/bin/tsc' },
    })));
    expect(rows['4a']).toMatchObject({ status: 'fail', measured: 'typescript' });
    expect(rows['4b']).toMatchObject({ status: 'fail', measured: 'tsc, tsserver' });
    expect(rows['4c']).toMatchObject({ status: 'fail', measured: '/usr/local/bin/tsc' });
    expect(rows['4d'].status).toBe('pass');
  });

  test('a prod binary in node_modules/.bin is not a finding', () => {
    const rows = judgeDevPackages(spec, FIXTURE_BINS, cleanFacts({ binEntries: ['node-pg-migrate', 'yaml'] }));
    expect(failing(rows)).toEqual([]);
  });

  test('npm caches of any user and node_modules/.cache are found', () => {
    const rows = byId(judgeDevPackages(spec, FIXTURE_BINS, cleanFacts({
      homeHits: ['/root/.npm', '/home/app/.npm'],
      kinds: { '/app/node_modules/.cache': 'dir' },
    })));
    expect(rows['4d']).toMatchObject({ status: 'fail', measured: '/root/.npm, /home/app/.npm, /app/node_modules/.cache' });
  });

  test('sources, VCS, tooling and .env files are leftovers, wherever the walk found them', () => {
    const rows = byId(judgeDevPackages(spec, FIXTURE_BINS, cleanFacts({
      kinds: { '/app/test': 'dir', '/app/.projenrc.ts': 'file', '/app/tsconfig.json': 'file' },
      walk: { envFiles: ['.env', 'config/.env.local'], gitDirs: ['.git'], srcTs: ['src/index.ts'], entries: 40 },
    })));
    expect(rows['4e'].status).toBe('fail');
    expect(rows['4e'].measured).toBe('.projenrc.ts, test/, tsconfig.json, .git, src/index.ts, .env (+1 more)');
  });

  test('the spec\'s forbidden paths are what is looked for', () => {
    const rows = byId(judgeDevPackages(fixtureSpec({ forbiddenPaths: ['./docs/'] }), FIXTURE_BINS, cleanFacts({
      kinds: { '/app/docs': 'dir' },
    })));
    expect(rows['4e'].measured).toBe('docs/');
  });

  test('npm present fails unless the spec keeps npm; corepack always fails', () => {
    const facts = cleanFacts({ onPath: { npm: '/usr/local/bin/npm', npx: '/usr/local/bin/npx' } });
    expect(byId(judgeDevPackages(spec, FIXTURE_BINS, facts))['4f'].status).toBe('fail');
    expect(byId(judgeDevPackages(fixtureSpec({ npmInRuntime: true }), FIXTURE_BINS, facts))['4f'].status).toBe('pass');
    const corepack = cleanFacts({ onPath: { corepack: '/usr/local/bin/corepack' } });
    expect(byId(judgeDevPackages(fixtureSpec({ npmInRuntime: true }), FIXTURE_BINS, corepack))['4f'].status).toBe('fail');
  });

  test('the spec\'s absolute forbidden paths are checked', () => {
    const rows = byId(judgeDevPackages(spec, FIXTURE_BINS, cleanFacts({ kinds: { '/usr/local/lib/node_modules/npm': 'dir' } })));
    expect(rows['4g']).toMatchObject({ status: 'fail', measured: '/usr/local/lib/node_modules/npm' });
  });

  test('long lists are cut', () => {
    expect(list(['a', 'b', 'c'], 2)).toBe('a, b (+1 more)');
    expect(list([])).toBe('none');
  });
});

describe('check 5: judgeAssets', () => {
  test('assets and a file entry point pass', () => {
    expect(failing(judgeAssets(spec, cleanFacts()))).toEqual([]);
  });

  test('a missing asset and a directory as entry point fail', () => {
    const rows = byId(judgeAssets(fixtureSpec({ assets: ['config', 'prompts'] }), cleanFacts({ kinds: { '/app/config': 'dir', '/app/lib/index.js': 'dir' } })));
    expect(rows['5a']).toMatchObject({ status: 'fail', measured: 'missing: prompts' });
    expect(rows['5b']).toMatchObject({ status: 'fail', measured: 'dir' });
  });
});

describe('check 9: judgeMetadata', () => {
  const good: ImageConfig = {
    User: 'app',
    ExposedPorts: { '8000/tcp': {} },
    Env: ['PATH=/usr/bin', 'NODE_ENV=production', 'PORT=8000'],
    Cmd: ['node', 'lib/index.js'],
    Entrypoint: null,
    Labels: { 'org.opencontainers.image.title': 'x', 'org.opencontainers.image.source': 'https://x' },
    Healthcheck: { Test: ['CMD', 'node', '-e', '...'] },
  };

  test('a well-formed config passes', () => {
    expect(failing(judgeMetadata(spec, good))).toEqual([]);
  });

  test('shell-form CMD (what `CMD npm start` becomes) fails', () => {
    expect(failing(judgeMetadata(spec, { ...good, Cmd: ['/bin/sh', '-c', 'npm start'] }))).toEqual(['9b']);
  });

  test('a shell entrypoint in front of node fails', () => {
    expect(failing(judgeMetadata(spec, { ...good, Entrypoint: ['/bin/sh', '-c'] }))).toEqual(['9b']);
  });

  test('a CMD other than the spec\'s fails', () => {
    expect(failing(judgeMetadata(spec, { ...good, Cmd: ['node', 'dist/main.js'] }))).toEqual(['9b']);
  });

  test('wrong port, missing NODE_ENV, empty label, secret ENV key and no HEALTHCHECK are each reported', () => {
    const rows = byId(judgeMetadata(spec, {
      ...good,
      ExposedPorts: { '3000/tcp': {} },
      Env: ['PORT=8000', 'API_TOKEN=x', 'DB_PASSWORD=y'],
      Labels: { 'org.opencontainers.image.title': ' ' },
      Healthcheck: { Test: ['NONE'] },
    }));
    expect(rows['9a']).toMatchObject({ status: 'fail', measured: 'EXPOSE 3000/tcp' });
    expect(rows['9c']).toMatchObject({ status: 'fail', measured: 'wrong: NODE_ENV=(unset)' });
    expect(rows['9d'].measured).toBe('missing or empty: org.opencontainers.image.title, org.opencontainers.image.source');
    expect(rows['9e']).toMatchObject({ status: 'fail', measured: 'API_TOKEN, DB_PASSWORD' });
    expect(rows['9f']).toMatchObject({ status: 'fail', measured: 'none' });
  });
});

describe('checks 6 and 7: judgeServed', () => {
  const url = 'http://127.0.0.1:9999/health';

  test('healthy and 200 passes', () => {
    const rows = judgeServed('6', 'health', { url, health: { status: 'healthy', elapsedMs: 1200, detail: '' }, http: { status: 200, body: '{}' } });
    expect(failing(rows)).toEqual([]);
    expect(rows[0].measured).toBe('healthy after 1.2 s');
  });

  test('an exited container fails both rows and shows why', () => {
    const rows = judgeServed('7', 'hardened', { url, health: { status: 'exited (1)', elapsedMs: 300, detail: "EROFS: read-only file system, open '/app/x'" } });
    expect(failing(rows)).toEqual(['7a', '7b']);
    expect(rows[0].measured).toContain('EROFS');
    expect(rows[1].measured).toBe('not attempted (container not running)');
  });

  test('healthy but the port answers 503 fails the GET row only', () => {
    const rows = judgeServed('6', 'health', { url, health: { status: 'healthy', elapsedMs: 1, detail: '' }, http: { status: 503, body: 'down' } });
    expect(failing(rows)).toEqual(['6b']);
  });
});

describe('check 8: judgeStop', () => {
  test('exit 0 well within 2 s passes', () => {
    expect(judgeStop({ elapsedMs: 400, exitCode: 0, timeoutS: 10 }).status).toBe('pass');
  });

  test('SIGKILL after the timeout fails and says so', () => {
    const r = judgeStop({ elapsedMs: 10_300, exitCode: 137, timeoutS: 10 });
    expect(r.status).toBe('fail');
    expect(r.measured).toBe('exit 137 (SIGKILL after timeout) after 10.30 s');
  });

  test('a clean but slow exit fails, as does a fast non-zero exit', () => {
    expect(judgeStop({ elapsedMs: 2500, exitCode: 0, timeoutS: 10 }).status).toBe('fail');
    expect(judgeStop({ elapsedMs: 100, exitCode: 1, timeoutS: 10 }).status).toBe('fail');
  });
});

describe('check 10: judgeDatabase', () => {
  const url = 'http://127.0.0.1:9999/health';

  test('migrations ran and the app reports the database ok', () => {
    const rows = judgeDatabase({ exitCode: 0, stdout: '', stderr: '' }, { status: 200, body: '{"status":"ok","checks":{"db":"ok"}}' }, url);
    expect(failing(rows)).toEqual([]);
  });

  test('failed migration output is shown with the password hidden; db "down" fails', () => {
    const rows = judgeDatabase(
      { exitCode: 1, stdout: '', stderr: 'could not connect to postgres://app:s3cret@127.0.0.1:5432/x' },
      { status: 200, body: '{"checks":{"db":"down"}}' }, url);
    expect(failing(rows)).toEqual(['10a', '10b']);
    expect(rows[0].measured).toContain('postgres://app:***@127.0.0.1');
    expect(rows[0].measured).not.toContain('s3cret');
  });

  test('dbCheck reads checks.db and tolerates non-JSON', () => {
    expect(dbCheck('{"checks":{"db":"ok"}}')).toBe('ok');
    expect(dbCheck('<html>')).toBeUndefined();
    expect(redact('postgres://postgres@127.0.0.1/db')).toBe('postgres://postgres@127.0.0.1/db');
  });
});
