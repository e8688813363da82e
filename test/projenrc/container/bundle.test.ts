import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MANIFESTS_DIR, NOTICES_FILE, NOTICES_SCRIPT, appBundle, bundleCommand, noticesCommand } from '../../../packages/projen-container/src/container/bundle';

// The build stage runs it as plain CommonJS; the tests load the same file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const notices = require('../../../packages/projen-container/src/container/third-party-notices.cjs') as {
  packageDirs(metafile: { inputs: Record<string, unknown> }): string[];
  renderNotices(root: string, metafile: { inputs: Record<string, unknown> }): string;
  renderManifests(root: string, metafile: { inputs: Record<string, unknown> }): { file: string; text: string }[];
};

const FACTS = { srcdir: 'src', libdir: 'lib', entrypoint: 'lib/index.js', assets: ['config', 'scripts'] };

describe('appBundle (pure)', () => {
  test('the entry point from its TypeScript source, and the migrate script among the assets in place', () => {
    expect(appBundle({ ...FACTS, migrateCommand: ['node', 'scripts/migrate.js', 'up'] })).toEqual({
      entries: [{ source: 'src/index.ts', output: 'lib/index.js' }, { source: 'scripts/migrate.js', output: 'scripts/migrate.js' }],
      noticesFile: NOTICES_FILE,
      manifestsDir: MANIFESTS_DIR,
      noticesScript: NOTICES_SCRIPT,
    });
  });

  test('a nested entry point keeps its folders', () => {
    expect(appBundle({ ...FACTS, entrypoint: 'lib/server/main.js' }).entries).toEqual([{ source: 'src/server/main.ts', output: 'lib/server/main.js' }]);
  });

  test.each([
    ['a migrate command that is not node', ['psql', '-f', 'scripts/up.sql']],
    ['a script outside the assets', ['node', 'tools/migrate.js', 'up']],
  ])('nothing more to bundle for %s', (_, migrateCommand) => {
    expect(appBundle({ ...FACTS, migrateCommand }).entries).toHaveLength(1);
  });

  test.each([
    ['no entry point', { entrypoint: '' }, '"entrypoint" (the project\'s, package.json "main") must be a .js file under the libdir (lib), compiled from src, got ""'],
    ['one outside the libdir', { entrypoint: 'dist/index.js' }, 'got "dist/index.js"'],
    ['one that is not .js', { entrypoint: 'lib/index.mjs' }, 'got "lib/index.mjs"'],
    ['a migrate script that is not .js', { migrateCommand: ['node', 'scripts/migrate.cjs'] }, '"migrateCommand" a script node runs from the assets must be a .js file, so its bundle keeps its name, got "scripts/migrate.cjs"'],
  ])('refuses %s, naming the field and the value', (_, facts, message) => {
    expect(() => appBundle({ ...FACTS, ...facts })).toThrow(message);
  });

  test('the commands: every entry as out=in, node\'s target, CommonJS, a metafile, then the notices from it', () => {
    const bundle = appBundle({ ...FACTS, migrateCommand: ['node', 'scripts/migrate.js', 'up'] });
    expect(bundleCommand(bundle, 24)).toBe('node_modules/.bin/esbuild lib/index=src/index.ts scripts/migrate=scripts/migrate.js --bundle --platform=node '
      + '--target=node24 --format=cjs --log-level=warning --metafile=bundle-meta.json --outdir=bundle');
    expect(noticesCommand(bundle)).toBe('node third-party-notices.cjs bundle-meta.json bundle/THIRD-PARTY-NOTICES bundle/bundled-packages');
  });
});

describe('third-party-notices.cjs', () => {
  const metafile = {
    inputs: {
      'src/index.ts': {},
      'node_modules/fastify/fastify.js': {},
      'node_modules/fastify/lib/route.js': {},
      'node_modules/@fastify/error/index.js': {},
      'node_modules/ajv/node_modules/fast-uri/index.js': {},
      'node_modules/pg-types/index.js': {},
    },
  };

  test('one folder per bundled package: scoped, nested, each once, never the app\'s own sources', () => {
    expect(notices.packageDirs(metafile)).toEqual([
      'node_modules/@fastify/error', 'node_modules/ajv/node_modules/fast-uri', 'node_modules/fastify', 'node_modules/pg-types',
    ]);
  });

  test('each package\'s licence files, whatever their name; one without says what its manifest declares', () => {
    const root = mkdtempSync(join(tmpdir(), 'notices-'));
    const pkg = (dir: string, manifest: object, files: Record<string, string> = {}) => {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, 'package.json'), JSON.stringify(manifest));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(root, dir, name), text);
    };
    pkg('node_modules/fastify', { name: 'fastify', version: '5.0.0', license: 'MIT' }, { 'LICENSE': 'MIT License\nCopyright Fastify\n', 'index.js': '' });
    pkg('node_modules/@fastify/error', { name: '@fastify/error', version: '4.0.0', license: 'MIT' }, { 'license.md': 'MIT, error', 'NOTICE': 'notice text' });
    pkg('node_modules/ajv/node_modules/fast-uri', { name: 'fast-uri', version: '2.0.0', license: 'BSD-3-Clause' }, { 'LICENCE.txt': 'BSD text' });
    pkg('node_modules/pg-types', { name: 'pg-types', version: '2.2.0', license: 'MIT', repository: { url: 'git://github.com/brianc/node-pg-types.git' } });
    const text = notices.renderNotices(root, metafile);
    expect(text).toContain('fastify@5.0.0 (MIT)\n\nMIT License\nCopyright Fastify');
    expect(text).toContain('@fastify/error@4.0.0 (MIT)\n\nnotice text\n\nMIT, error');
    expect(text).toContain('fast-uri@2.0.0 (BSD-3-Clause)\n\nBSD text');
    expect(text).toContain('pg-types@2.2.0 (MIT)\n\nThe package ships no licence file; its package.json declares the licence MIT, '
      + 'and its source is git://github.com/brianc/node-pg-types.git.');
    expect(text).not.toContain('index.js');
  });

  test('one manifest per package and version, with its name, version and declared licence only', () => {
    const root = mkdtempSync(join(tmpdir(), 'manifests-'));
    const pkg = (dir: string, manifest: object) => {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, 'package.json'), JSON.stringify(manifest));
    };
    pkg('node_modules/@fastify/error', { name: '@fastify/error', version: '4.0.0', license: 'MIT', main: 'index.js', dependencies: { a: '1' } });
    pkg('node_modules/fast-uri', { name: 'fast-uri', version: '2.0.0', license: 'BSD-3-Clause' });
    pkg('node_modules/ajv/node_modules/fast-uri', { name: 'fast-uri', version: '2.0.0', license: 'BSD-3-Clause' });
    pkg('node_modules/legacy', { name: 'legacy', version: '0.1.0', license: { type: 'MIT' } });
    const inputs = Object.fromEntries(['node_modules/@fastify/error/index.js', 'node_modules/fast-uri/index.js',
      'node_modules/ajv/node_modules/fast-uri/index.js', 'node_modules/legacy/index.js', 'src/index.ts'].map((i) => [i, {}]));
    expect(notices.renderManifests(root, { inputs })).toEqual([
      { file: '@fastify/error@4.0.0/package.json', text: '{\n  "name": "@fastify/error",\n  "version": "4.0.0",\n  "license": "MIT"\n}\n' },
      { file: 'fast-uri@2.0.0/package.json', text: '{\n  "name": "fast-uri",\n  "version": "2.0.0",\n  "license": "BSD-3-Clause"\n}\n' },
      { file: 'legacy@0.1.0/package.json', text: '{\n  "name": "legacy",\n  "version": "0.1.0"\n}\n' },
    ]);
  });
});
