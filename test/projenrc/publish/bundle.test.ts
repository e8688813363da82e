import { execSync, spawnSync } from 'child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const PACKAGE_DIR = join(__dirname, '..', '..', '..', 'packages', 'projen-container');
const BUNDLE = join(PACKAGE_DIR, 'tools', 'publish.cjs');

describe('the bundled publish tool (tools/publish.cjs)', () => {
  test('is what the package\'s build writes from the sources as they are', () => {
    const tasks = JSON.parse(readFileSync(join(PACKAGE_DIR, '.projen', 'tasks.json'), 'utf8')).tasks;
    const bundling = (tasks['pre-compile'].steps as { exec?: string }[]).map((s) => s.exec ?? '').filter((e) => e.includes('bundle-publish'));
    expect(bundling).toHaveLength(1);
    const out = join(mkdtempSync(join(tmpdir(), 'publish-bundle-')), 'publish.cjs');
    execSync(`${bundling[0]} ${out}`, { cwd: PACKAGE_DIR, stdio: 'pipe' });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(BUNDLE, 'utf8'));
  });

  test('runs with node alone, no node_modules anywhere near it, and carries its bundled packages\' licences', () => {
    const dir = mkdtempSync(join(tmpdir(), 'publish-alone-'));
    copyFileSync(BUNDLE, join(dir, 'publish.cjs'));
    const env = { PATH: process.env.PATH };
    const run = (extra: Record<string, string>) => spawnSync(process.execPath, ['publish.cjs'], { cwd: dir, env: { ...env, ...extra }, encoding: 'utf8' });
    expect(run({})).toMatchObject({ status: 1, stderr: 'docker:publish: REGISTRY must name a repository such as ghcr.io/<owner>/<image>, got ""\n' });
    expect(run({ REGISTRY: 'ghcr.io/acme/api' })).toMatchObject({ status: 1, stderr: expect.stringContaining('no container spec at .projen/container.json') });
    expect(readFileSync(BUNDLE, 'utf8')).toMatch(/^\/\/ zod@\S+ \(MIT\)$/m);
  });
});
