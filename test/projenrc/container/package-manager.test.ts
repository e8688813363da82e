import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { javascript } from 'projen';
import { testProject } from './fixture';
import type { PackageManager } from '../../../packages/projen-container/src/container/package-manager';
import {
  imageInstall, installStamp, lockfileProblem, resolvePackageManager, setupCommand,
} from '../../../packages/projen-container/src/container/package-manager';
import { productionPackages } from '../../../packages/projen-container/src/container/production-packages';

const NPM: PackageManager = { name: 'npm', lockFile: 'package-lock.json', install: 'npm ci' };
const PNPM: PackageManager = { name: 'pnpm', lockFile: 'pnpm-lock.yaml', install: 'pnpm i --frozen-lockfile', version: '10.33.0' };

describe('resolvePackageManager', () => {
  test('npm and pnpm: projen\'s own lockfile and frozen install, and pnpm\'s exact version from projen', () => {
    const npm = testProject().package;
    expect(resolvePackageManager(npm, 'X')).toEqual({ name: 'npm', lockFile: npm.lockFile, install: npm.installCommand });
    const pnpm = testProject(undefined, undefined, javascript.NodePackageManager.PNPM).package;
    expect(resolvePackageManager(pnpm, 'X')).toEqual({ name: 'pnpm', lockFile: 'pnpm-lock.yaml', install: pnpm.installCommand, version: pnpm.pnpmVersion });
  });

  test.each(Object.values(javascript.NodePackageManager).filter((m) => m !== 'npm' && m !== 'pnpm'))(
    '%s is refused in one line naming the owner, packageManager and the value', (manager) => {
      const pkg = { packageManager: manager, lockFile: 'x.lock', installCommand: 'x install', pnpmVersion: undefined };
      expect(() => resolvePackageManager(pkg, 'Owner'))
        .toThrow(new Error(`Owner: "packageManager" must be npm or pnpm (installs are frozen to their lockfiles), got "${manager}"`));
    });

  test.each(['10', '^10.33.0', 'latest'])('a pnpm version that is not exact (%s) is refused', (version) => {
    const pkg = { packageManager: javascript.NodePackageManager.PNPM, lockFile: 'pnpm-lock.yaml', installCommand: 'pnpm i --frozen-lockfile', pnpmVersion: version };
    expect(() => resolvePackageManager(pkg, 'Owner'))
      .toThrow(`Owner: "pnpmVersion" must be an exact version (the image and the workflows install it), got "${version}"`);
  });
});

describe('what each manager installs with', () => {
  test('npm comes with node; pnpm is installed by npm at its exact version', () => {
    expect(setupCommand(NPM)).toBeUndefined();
    expect(setupCommand(PNPM)).toBe('npm install --global --no-audit --no-fund pnpm@10.33.0');
  });

  test('the build stage installs frozen, without install scripts, into a cache mount the manager uses', () => {
    expect(imageInstall(NPM)).toEqual({ command: 'npm ci --ignore-scripts --no-audit --no-fund', cache: '/root/.npm' });
    expect(imageInstall(PNPM)).toEqual({ command: 'pnpm i --frozen-lockfile --ignore-scripts --store-dir=/root/.pnpm-store', cache: '/root/.pnpm-store' });
  });

  test('make\'s stand-in for node_modules is a file each frozen install rewrites', () => {
    expect(installStamp(NPM)).toBe('node_modules/.package-lock.json');
    expect(installStamp(PNPM)).toBe('node_modules/.modules.yaml');
  });

  test('a missing lockfile is named in one line with the task that writes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockfile-'));
    expect(lockfileProblem(PNPM, dir)).toBe('pnpm-lock.yaml is missing, and the image installs frozen from it: run npx projen install to write it');
    writeFileSync(join(dir, 'pnpm-lock.yaml'), '');
    expect(lockfileProblem(PNPM, dir)).toBeUndefined();
  });
});

describe('productionPackages', () => {
  test('npm: top-level entries not flagged dev', () => {
    const lock = JSON.stringify({
      packages: {
        '': {},
        'node_modules/ajv': {},
        'node_modules/typescript': { dev: true },
        'node_modules/@types/pg': { devOptional: true },
        'node_modules/fastify/node_modules/semver': {},
      },
    });
    expect([...productionPackages(NPM, lock)]).toEqual(['ajv']);
  });

  test('pnpm: what the dependencies reach through the snapshots, aliases and peer suffixes included', () => {
    const lock = [
      'lockfileVersion: \'9.0\'',
      'importers:',
      '  .:',
      '    dependencies:',
      '      fastify: { specifier: ^5, version: 5.6.1 }',
      '      local: { specifier: link:../local, version: link:../local }',
      '    optionalDependencies:',
      '      fsevents: { specifier: ^2, version: 2.3.3 }',
      '    devDependencies:',
      '      typescript: { specifier: ^5, version: 5.9.3 }',
      'snapshots:',
      '  fastify@5.6.1:',
      '    dependencies:',
      '      ajv: 8.17.1',
      '      string-width-cjs: string-width@4.2.3',
      '      pino: 9.0.0(supports-color@8.1.1)',
      '  ajv@8.17.1: {}',
      '  string-width@4.2.3:',
      '    dependencies:',
      '      ansi-regex: 5.0.1',
      '  ansi-regex@5.0.1: {}',
      '  pino@9.0.0(supports-color@8.1.1):',
      '    dependencies:',
      '      supports-color: 8.1.1',
      '  supports-color@8.1.1: {}',
      '  fsevents@2.3.3: {}',
      '  typescript@5.9.3: {}',
    ].join('\n');
    expect([...productionPackages(PNPM, lock)].sort())
      .toEqual(['ajv', 'ansi-regex', 'fastify', 'fsevents', 'local', 'pino', 'string-width-cjs', 'supports-color']);
  });

  test('pnpm: a lockfile pnpm 8 or older wrote is refused, naming its version', () => {
    expect(() => productionPackages(PNPM, 'lockfileVersion: \'6.0\'\n'))
      .toThrow('ContainerImage: pnpm-lock.yaml has lockfileVersion "6.0", and only 9.x (pnpm 9 and later) is read');
  });
});
