import { execFileSync, spawn } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { BUNDLE_METAFILE, BUNDLE_OUTDIR } from '../../../packages/projen-container/src/container/bundle';
import { readSpec } from '../../../packages/projen-container/src/container/read-spec';
import { CONTAINER_SPEC_PATH } from '../../../packages/projen-container/src/container/resolved-container';
import { createThrowawayDatabase, queryOnce, repoRoot, type ThrowawayDatabase } from '../../src/support/throwaway-database';

// The build stage runs it as plain CommonJS; the tests load the same file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const notices = require('../../../packages/projen-container/src/container/third-party-notices.cjs') as { packageDirs(metafile: Metafile): string[] };

// This repository's own build stage, run here: the spec's bundle command in a folder laid out as the stage's,
// then the bundle started from a folder laid out as the image's, where no node_modules exists to fall back on.
const spec = readSpec(join(repoRoot, CONTAINER_SPEC_PATH));
const build = mkdtempSync(join(tmpdir(), 'bundle-build-'));
const image = mkdtempSync(join(tmpdir(), 'bundle-image-'));

interface Metafile {
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}
const metafile = (): Metafile => JSON.parse(readFileSync(join(build, BUNDLE_METAFILE), 'utf8')) as Metafile;

/**
 * The manifest of each package the bundle took in, from the folders the notices script finds. The
 * metafile's inputs are relative to the folder esbuild ran in (through the symlink they climb out of
 * it), so they are read from there: against the repository they resolve only where both sit at the same depth.
 */
function bundledManifests(): Record<string, string>[] {
  return notices.packageDirs(metafile()).map((dir) => JSON.parse(readFileSync(join(build, dir, 'package.json'), 'utf8')) as Record<string, string>);
}

function dockerfileRun(): string {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const run = dockerfile.split('\n').find((l) => l.startsWith('RUN node_modules/.bin/esbuild '));
  if (!run) throw new Error('the Dockerfile has no bundle step');
  return run.slice('RUN '.length);
}

beforeAll(() => {
  for (const path of ['package.json', spec.tsconfigFile, spec.srcdir, 'node_modules']) symlinkSync(join(repoRoot, path), join(build, path));
  for (const { source } of spec.bundle.entries) {
    if (existsSync(join(build, source))) continue;
    mkdirSync(join(build, source, '..'), { recursive: true });
    cpSync(join(repoRoot, source), join(build, source));
  }
  cpSync(join(repoRoot, spec.bundle.noticesScript), join(build, 'third-party-notices.cjs'));
  execFileSync('bash', ['-c', dockerfileRun()], { cwd: build, stdio: 'pipe' });

  for (const path of ['package.json', ...spec.assets]) cpSync(join(repoRoot, path), join(image, path), { recursive: true });
  cpSync(join(build, BUNDLE_OUTDIR), image, { recursive: true });
}, 60_000);

test('the Dockerfile runs the bundle command of the spec', () => {
  expect(dockerfileRun().startsWith(`node_modules/.bin/esbuild ${spec.bundle.entries.map((e) => `${e.output.replace(/\.js$/, '')}=${e.source}`).join(' ')} `)).toBe(true);
});

test('every bundled package is in the notices, with its version; a licence text where the package ships one', () => {
  const text = readFileSync(join(image, spec.bundle.noticesFile), 'utf8');
  const manifests = bundledManifests();
  expect(manifests.map((m) => m.name)).toEqual(expect.arrayContaining(['fastify', 'pg', 'zod', 'node-pg-migrate', 'prom-client']));
  for (const { name, version } of manifests) expect(text).toContain(`\n${name}@${version} (`);
  expect(text).toMatch(/fastify@\S+ \(MIT\)\n\nMIT License/);
});

test('every bundled package has its manifest where scanners look, holding its name, version and licence', () => {
  const manifests = bundledManifests();
  expect(manifests.length).toBeGreaterThan(10);
  for (const { name, version, license } of manifests) {
    const shipped = JSON.parse(readFileSync(join(image, spec.bundle.manifestsDir, `${name}@${version}`, 'package.json'), 'utf8')) as unknown;
    expect(shipped).toEqual({ name, version, ...(typeof license === 'string' ? { license } : {}) });
  }
});

test('the bundle takes only what it uses of zod: of its locales, English alone', () => {
  // zod's namespace import (`import * as z`) lets esbuild drop the locales it never reads; a named `{ z }`
  // import made every locale part of the bundle (390 kB of 3.2 MB that every start compiled).
  const locales = Object.values(metafile().outputs).flatMap((output) => Object.entries(output.inputs))
    .filter(([input, { bytesInOutput }]) => /\/zod\/v4\/locales\//.test(input) && bytesInOutput > 0)
    .map(([input]) => input.replace(/.*\/locales\//, ''));
  expect(locales).toContain('en.js');
  expect(locales.filter((l) => l !== 'en.js' && l !== 'index.js')).toEqual([]);
});

describe('the bundle runs where only the image\'s files are', () => {
  let db: ThrowawayDatabase;
  beforeAll(async () => {
    db = await createThrowawayDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('no node_modules beside it, nor above it', () => {
    expect(existsSync(join(image, 'node_modules'))).toBe(false);
    expect(() => execFileSync(process.execPath, ['-e', 'require.resolve("fastify")'], { cwd: image, stdio: 'pipe' })).toThrow(/Cannot find module/);
  });

  test('the migrate command applies the schema', () => {
    const [command, ...args] = spec.migrateCommand ?? [];
    expect(command).toBe('node');
    const out = execFileSync(process.execPath, args, { cwd: image, env: { PATH: process.env.PATH, DATABASE_URL: db.url }, encoding: 'utf8' });
    expect(out).toContain('migrate up: ');
  });

  test('the entry point serves, the database included', async () => {
    await queryOnce(db.url, 'SELECT 1');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [spec.entrypoint], {
      cwd: image,
      env: { PATH: process.env.PATH, PORT: String(port), WEB_CONCURRENCY: '1', DATABASE_URL: db.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    try {
      const body = await poll(`http://127.0.0.1:${port}${spec.healthPath}`, 15_000);
      expect(body).toMatchObject({ status: 'ok', checks: { db: 'ok' } });
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  }, 30_000);
});

async function poll(url: string, limitMs: number): Promise<unknown> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return await res.json();
    } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error(`${url} did not answer 200 within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
