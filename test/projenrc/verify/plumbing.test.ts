import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FIXTURE_PLAN, fixtureSpec } from './fixture';
import { specFileContent } from '../../../packages/projen-container/src/container/resolved-container';
import { FileFacts, PROBE_SCRIPT } from '../../../packages/projen-container/src/verify/categories/file-probe';
import { hardenedHostConfig } from '../../../packages/projen-container/src/verify/categories/hardening';
import { VerifyError } from '../../../packages/projen-container/src/verify/errors';
import { parseOptions } from '../../../packages/projen-container/src/verify/options';
import { isOk, list, onPlatform, renderTable, row, skipped, summary } from '../../../packages/projen-container/src/verify/report';
import { main } from '../../../packages/projen-container/src/verify/run';

const dir = mkdtempSync(join(tmpdir(), 'verify-plumbing-'));

/** Runs `body` with DOCKER_HOST set: docker-modem reads process.env itself. */

describe('the spec is read by the one reader, and its errors are one line', () => {
  test('a missing file says how to create it', async () => {
    const path = join(dir, 'absent.json');
    await expect(main([], { CONTAINER_SPEC_PATH: path })).rejects.toThrow(new VerifyError(
      `no container spec at ${path}: run npx projen to synthesize it (CONTAINER_SPEC_PATH overrides the path)`));
  });

  test('a spec in another shape names the field', async () => {
    const path = join(dir, 'stale.json');
    writeFileSync(path, JSON.stringify({ ...specFileContent(fixtureSpec()), port: 'eighty' }));
    await expect(main([], { CONTAINER_SPEC_PATH: path })).rejects.toThrow(VerifyError);
    await expect(main([], { CONTAINER_SPEC_PATH: path })).rejects.toThrow(`${path}: port: `);
  });
});

describe('options', () => {
  test('defaults: build, report under test-reports/, the docker CLI from PATH', () => {
    expect(parseOptions([], {}, '/repo')).toMatchObject({
      image: undefined, docker: 'docker', specPath: '.projen/container.json', reportPath: '/repo/test-reports/verify-report.json', databaseUrl: undefined,
    });
  });

  test('--image and DOCKER_IMAGE select an existing image; the flag wins; CONTAINER_SPEC_PATH moves the spec', () => {
    expect(parseOptions(['--image', 'a:1'], { DOCKER_IMAGE: 'b:2' }, '/r').image).toBe('a:1');
    expect(parseOptions(['--image=a:1'], {}, '/r').image).toBe('a:1');
    expect(parseOptions([], { DOCKER_IMAGE: 'b:2', VERIFY_DATABASE_URL: 'postgres://x', DOCKER: '/usr/bin/docker', CONTAINER_SPEC_PATH: '/x.json' }, '/r'))
      .toMatchObject({ image: 'b:2', databaseUrl: 'postgres://x', docker: '/usr/bin/docker', specPath: '/x.json' });
  });

  test('unknown arguments and missing values are errors, not ignored', () => {
    expect(() => parseOptions(['--imgae', 'x'], {}, '/r')).toThrow('unknown argument "--imgae"');
    expect(() => parseOptions(['--image'], {}, '/r')).toThrow('--image needs a value');
  });
});

describe('hardening', () => {
  test('the hardened profile becomes exactly the restricting Docker options', () => {
    const hardened = FIXTURE_PLAN.runtime.find((r) => r.kind === 'hardened');
    expect(hardened?.kind === 'hardened' && hardenedHostConfig(hardened.profile)).toEqual({
      ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' }, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'],
    });
  });
});

describe('the file probe script (run here with the host\'s node)', () => {
  const root = join(dir, 'image');
  for (const d of ['app/lib', 'app/config', 'app/a/b/.git', 'app/node_modules/.bin', 'bin']) mkdirSync(join(root, d), { recursive: true });
  for (const f of ['app/lib/index.js', 'app/.env', 'app/a/.env.local', 'app/a/b/x.ts', 'app/node_modules/.bin/tsc']) writeFileSync(join(root, f), '');
  writeFileSync(join(root, 'bin/tsc'), '', { mode: 0o755 });
  writeFileSync(join(root, 'bin/notexec'), '', { mode: 0o644 });

  function probe(patterns: string[], commands: string[], walkLimit = 1000): FileFacts {
    const r = spawnSync(process.execPath, ['-e', PROBE_SCRIPT], {
      encoding: 'utf8',
      env: { PATH: join(root, 'bin'), VERIFY_PROBE: JSON.stringify({ patterns, commands, walkLimit }) },
    });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as FileFacts;
  }
  const paths = (facts: FileFacts, pattern: string) => facts.targets[pattern].flatMap((t) => t.matches.map((m) => `${m.path}:${m.kind}`)).sort();

  test('absolute paths report their kind, or nothing', () => {
    const facts = probe([`${root}/app/lib/index.js`, `${root}/app/config`, `${root}/app/nope`], []);
    expect(paths(facts, `${root}/app/lib/index.js`)).toEqual([`${root}/app/lib/index.js:file`]);
    expect(paths(facts, `${root}/app/config`)).toEqual([`${root}/app/config:dir`]);
    expect(paths(facts, `${root}/app/nope`)).toEqual([]);
  });

  test('** is any depth, including none; * stays within a name', () => {
    const facts = probe([`${root}/app/**/.env*`, `${root}/app/**/.git`, `${root}/app/*/x.ts`], []);
    expect(paths(facts, `${root}/app/**/.env*`)).toEqual([`${root}/app/.env:file`, `${root}/app/a/.env.local:file`]);
    expect(paths(facts, `${root}/app/**/.git`)).toEqual([`${root}/app/a/b/.git:dir`]);
    expect(paths(facts, `${root}/app/*/x.ts`)).toEqual([]);
  });

  test('a walk past its bound stops and says so', () => {
    expect(probe([`${root}/app/**/.git`], [], 2).targets[`${root}/app/**/.git`][0].truncated).toBe(true);
  });

  test('~/ expands to every home of /etc/passwd plus /root', () => {
    const homes = probe(['~/.npm'], []).targets['~/.npm'].map((t) => t.pattern);
    expect(homes).toContain('/root/.npm');
    expect(homes.length).toBeGreaterThan(1);
  });

  test('commands resolve on PATH only when executable', () => {
    expect(probe([], ['tsc', 'notexec', 'npm']).commands).toEqual({ tsc: join(root, 'bin/tsc'), notexec: null, npm: null });
  });
});

describe('report', () => {
  const at = (id: string) => ({ id, title: 't', expected: 'x' });
  const rows = [row(at('metadata/user'), 'y', true), row(at('commands/whoami'), 'root', false), skipped(at('runtime/database'), 'skipped')];

  test('a failure fails the run; a skip alone does not; an empty run is not ok', () => {
    expect(isOk(rows)).toBe(false);
    expect(isOk([rows[0], rows[2]])).toBe(true);
    expect(isOk([])).toBe(false);
    expect(summary(rows)).toBe('FAILED: 1 passed, 1 failed, 1 skipped');
  });

  test('the table has a header, a rule and a line per short row; long cells wrap', () => {
    const table = renderTable([
      row(at('image/build'), 'exit 0', true),
      ...onPlatform('linux/arm64', [row({ id: 'metadata/user', title: 'user', expected: 'a '.repeat(40).trim() }, 'x', false)]),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^platform +\| check +\| expected +\| measured +\| result$/);
    expect(lines[1]).toMatch(/^-+-\+-/);
    expect(lines[2]).toMatch(/^all +\| image\/build +\| x +\| exit 0 +\| PASS$/);
    expect(lines[3]).toMatch(/^ +\| t +\| +\| +\|$/);
    expect(lines[4]).toMatch(/^linux\/arm64 \| metadata\/user +\| a a/);
    expect(lines.filter((l) => l.includes('FAIL'))).toHaveLength(1);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(135);
  });

  test('long lists are cut', () => {
    expect(list(['a', 'b', 'c'], 2)).toBe('a, b (+1 more)');
    expect(list([])).toBe('none');
  });
});

describe('builtTags', () => {
  test('the tags docker:build gives, one per platform: VERSION when set, else the package version', () => {
    const { builtTags } = jest.requireActual('../../../packages/projen-container/src/verify/image');
    const spec = { imageName: 'demo', version: '0.0.0', platforms: ['linux/amd64', 'linux/arm64'] };
    expect(builtTags(spec, {})).toEqual({ 'linux/amd64': 'demo:0.0.0-amd64', 'linux/arm64': 'demo:0.0.0-arm64' });
    expect(builtTags(spec, { VERSION: '1.2.3' })['linux/arm64']).toBe('demo:1.2.3-arm64');
  });
});
