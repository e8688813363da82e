import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

// The package as a consumer gets it: the compiled lib/ (the build compiles it
// before the tests), resolved by its name through `exports`.
const ROOT = join(__dirname, '..', '..');
const PACKAGE_DIR = join(ROOT, 'packages', 'projen-container');
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));

/** The packages a fresh node process has loaded after requiring `specifier`. */
function loadedPackages(specifier: string): string[] {
  const script = `require(${JSON.stringify(specifier)});`
    + 'const names = Object.keys(require.cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean);'
    + 'process.stdout.write(JSON.stringify([...new Set(names)]));';
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

describe('projen-container, as installed', () => {
  test('declaring an image loads neither cdk8s nor kubernetes-models; the deploy entry point does', () => {
    const main = loadedPackages('projen-container');
    expect(main).toContain('projen');
    expect(main.filter((p) => /^cdk8s|^kubernetes-models$/.test(p))).toEqual([]);
    expect(loadedPackages('projen-container/deploy')).toEqual(expect.arrayContaining(['cdk8s', 'cdk8s-plus-34']));
  });

  test('every public entry point resolves to compiled code with its declarations', () => {
    for (const [subpath, target] of Object.entries(manifest.exports as Record<string, { types: string; default: string } | string>)) {
      if (typeof target === 'string') continue;
      expect(require.resolve(join('projen-container', subpath), { paths: [ROOT] })).toBe(join(PACKAGE_DIR, target.default));
      expect(readFileSync(join(PACKAGE_DIR, target.types), 'utf8')).toMatch(/export/);
    }
  });

  test('each bin is a compiled tool node runs directly', () => {
    for (const file of Object.values(manifest.bin as Record<string, string>)) {
      expect(readFileSync(join(PACKAGE_DIR, file), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });

  test('the tarball holds the compiled code, the notices script, the bundled publish tool, the docs, the API reference and the licence, and no sources', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_DIR, encoding: 'utf8' }));
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'lib/index.js', 'lib/index.d.ts', 'lib/container/third-party-notices.cjs', 'tools/publish.cjs', 'docs/api/README.md',
    ]));
    expect(files.filter((f) => !/^(lib\/|tools\/publish\.cjs$|docs\/api\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(f) || f.endsWith('.tsbuildinfo'))).toEqual([]);
  });
});
