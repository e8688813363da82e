import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { digestFor, lockedRef, packageStaleness, readLock, renderLock, staleness, tagOf } from '../../../packages/projen-container/src/container/base-image-lock';
import { MINIMAL_PACKAGES } from '../../../packages/projen-container/src/container/container-image-props';

const PLATFORM = 'linux/amd64';
import { lockProblem, parseResolved, resolvePackagesScript } from '../../../packages/projen-container/src/container/lock-cli';
import { readSpec } from '../../../packages/projen-container/src/container/read-spec';
import { CONTAINER_SPEC_PATH } from '../../../packages/projen-container/src/container/resolved-container';
import { shellcheck, withShellcheck } from '../support/shellcheck';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const TAGS = ['node:24-trixie-slim', 'debian:trixie-slim'];

function lockFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lock-')), 'container.lock.json');
  writeFileSync(path, text);
  return path;
}

describe('the base-image lock', () => {
  test('round trip: the rendered lock reads back, tags sorted', () => {
    const text = renderLock({ images: { 'node:24-trixie-slim': A, 'debian:trixie-slim': B } });
    expect(Object.keys(JSON.parse(text).images)).toEqual(['debian:trixie-slim', 'node:24-trixie-slim']);
    expect(readLock(lockFile(text))).toEqual({ images: { 'debian:trixie-slim': B, 'node:24-trixie-slim': A } });
  });

  test('a missing lock reads as none; a malformed one fails naming the field', () => {
    expect(readLock(join(tmpdir(), 'no-such-dir', 'container.lock.json'))).toBeUndefined();
    expect(() => readLock(lockFile('{"images":{"node:24":"sha256:abc"}}'))).toThrow(/container.lock.json: images.node:24: /);
    expect(() => readLock(lockFile('{'))).toThrow(/is not valid JSON/);
  });

  test('staleness: missing lock, missing tag, unused tag, or none', () => {
    expect(staleness(TAGS, undefined)).toBe('no container.lock.json');
    expect(staleness(TAGS, { images: { 'node:24-trixie-slim': A } })).toBe('container.lock.json has no digest for debian:trixie-slim');
    expect(staleness(['node:24-trixie-slim'], { images: { 'node:24-trixie-slim': A, 'debian:trixie-slim': B } }))
      .toBe('container.lock.json pins debian:trixie-slim, which no FROM uses');
    expect(staleness(TAGS, { images: { 'node:24-trixie-slim': A, 'debian:trixie-slim': B } })).toBeUndefined();
  });

  test('references: pinned where the lock has the tag', () => {
    expect(lockedRef('node:24-trixie-slim', { images: { 'node:24-trixie-slim': A } })).toBe(`node:24-trixie-slim@${A}`);
    expect(lockedRef('debian:trixie-slim', { images: {} })).toBe('debian:trixie-slim');
    expect(tagOf(`node:24-trixie-slim@${A}`)).toBe('node:24-trixie-slim');
  });

  test('the digest of a pulled tag is found among RepoDigests, with or without the registry prefix', () => {
    expect(digestFor('node:24-trixie-slim', [`node@${A}`])).toBe(A);
    expect(digestFor('debian:trixie-slim', [`docker.io/library/debian@${B}`])).toBe(B);
    expect(digestFor('127.0.0.1:5000/x/app:1', [`127.0.0.1:5000/x/app@${A}`])).toBe(A);
    expect(digestFor('node:24-trixie-slim', [`other@${A}`])).toBeUndefined();
  });

  test('Debian packages: keyed by platform, then name, each with version and architecture; round trip', () => {
    const packages = { [PLATFORM]: { 'libc6': { version: '2.41-12', architecture: 'amd64' }, 'ca-certificates': { version: '20250419', architecture: 'all' } } };
    const text = renderLock({ images: { 'debian:trixie-slim': B }, packages });
    expect(Object.keys(JSON.parse(text).packages[PLATFORM])).toEqual(['ca-certificates', 'libc6']);
    expect(readLock(lockFile(text))).toEqual({ images: { 'debian:trixie-slim': B }, packages });
  });

  test('packageStaleness: no platform, a changed list, a missing version, or none', () => {
    const names = ['libc6', 'ca-certificates'];
    const full = { images: {}, packages: { [PLATFORM]: { 'libc6': { version: '1', architecture: 'amd64' }, 'ca-certificates': { version: '2', architecture: 'all' } } } };
    expect(packageStaleness(names, PLATFORM, full)).toBeUndefined();
    expect(packageStaleness([], PLATFORM, undefined)).toBeUndefined();
    expect(packageStaleness(names, 'linux/arm64', full)).toBe('container.lock.json locks no Debian packages for linux/arm64');
    expect(packageStaleness(['libc6', 'tzdata'], PLATFORM, full))
      .toBe("container.lock.json's Debian packages for linux/amd64 differ from the declared list (+tzdata -ca-certificates)");
    const noVersion = { images: {}, packages: { [PLATFORM]: { ...full.packages[PLATFORM], libc6: { architecture: 'amd64' } } } };
    expect(packageStaleness(names, PLATFORM, noVersion)).toBe('container.lock.json has no version and architecture for libc6 on linux/amd64');
  });

  test('docker:lock reads dpkg\'s answer, and refuses one that lacks a package', () => {
    expect(parseResolved('libc6 2.41-12+deb13u5 amd64\nca-certificates 20250419+deb13u1 all\n', ['libc6', 'ca-certificates'])).toEqual({
      'libc6': { version: '2.41-12+deb13u5', architecture: 'amd64' },
      'ca-certificates': { version: '20250419+deb13u1', architecture: 'all' },
    });
    expect(() => parseResolved('libc6 2.41 amd64\n', ['libc6', 'coreutils'])).toThrow('dpkg reported no version for coreutils');
  });

  withShellcheck('docker:lock\'s install script: no ShellCheck warning', () => {
    expect(shellcheck(resolvePackagesScript([...MINIMAL_PACKAGES.ships, ...MINIMAL_PACKAGES.tools]), '/bin/sh')).toEqual([]);
  });
});

describe('docker:build refuses a lock that does not fix the runtime\'s packages, in one line', () => {
  const ROOT = join(__dirname, '..', '..', '..');
  const committed = JSON.parse(readFileSync(join(ROOT, 'container.lock.json'), 'utf8'));
  /** `lock-cli.ts --check`, docker:build's first step, in a directory holding the repository's spec, this lock and (unless not) a package lockfile. */
  function check(lock: unknown, spec?: unknown, packageLock = true): { status: number | null; stderr: string } {
    const dir = mkdtempSync(join(tmpdir(), 'lock-check-'));
    mkdirSync(join(dir, '.projen'));
    if (packageLock) writeFileSync(join(dir, 'package-lock.json'), '{}');
    if (spec) writeFileSync(join(dir, '.projen', 'container.json'), JSON.stringify(spec));
    else copyFileSync(join(ROOT, '.projen', 'container.json'), join(dir, '.projen', 'container.json'));
    writeFileSync(join(dir, 'container.lock.json'), JSON.stringify(lock));
    const run = spawnSync(process.execPath, [join(ROOT, 'packages/projen-container/lib/container/lock-cli.js'), '--check'], { cwd: dir, encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr };
  }

  test('the committed lock fits the declaration (the engine and its pulls come after, and are tested on their own)', () => {
    expect(lockProblem(readSpec(join(ROOT, CONTAINER_SPEC_PATH)), join(ROOT, 'container.lock.json'))).toBeUndefined();
  });

  test('no package lockfile: the build stage would have nothing to install frozen from', () => {
    expect(check(committed, undefined, false)).toEqual({
      status: 1,
      stderr: 'docker:build: package-lock.json is missing, and the image installs frozen from it: run npx projen install to write it\n',
    });
  });

  test('a package without its version', () => {
    const lock = structuredClone(committed);
    delete lock.packages[PLATFORM].libc6.version;
    expect(check(lock)).toEqual({ status: 1, stderr: `docker:build: container.lock.json has no version and architecture for libc6 on ${PLATFORM}: run npx projen docker:lock\n` });
  });

  test('a package\'s version changed since the Dockerfile was synthesized', () => {
    const lock = structuredClone(committed);
    lock.packages[PLATFORM].libc6.version = '2.41-99';
    expect(check(lock)).toEqual({
      status: 1,
      stderr: `docker:build: container.lock.json locks libc6=2.41-99 (${lock.packages[PLATFORM].libc6.architecture}) on ${PLATFORM}, but the Dockerfile was synthesized before: run npx projen\n`,
    });
  });

  test('a base digest changed since the Dockerfile was synthesized (a bot\'s one-line bump)', () => {
    const lock = structuredClone(committed);
    const digest = `sha256:${'c'.repeat(64)}`;
    lock.images['debian:trixie-slim'] = digest;
    expect(check(lock)).toEqual({
      status: 1,
      stderr: `docker:build: container.lock.json pins debian:trixie-slim@${digest}, but the Dockerfile was synthesized before: run npx projen\n`,
    });
  });

  test('a Dockerfile synthesized before the lock existed: its FROMs carry no digest', () => {
    const spec = JSON.parse(readFileSync(join(ROOT, CONTAINER_SPEC_PATH), 'utf8'));
    spec.baseImages = { build: tagOf(spec.baseImages.build), runtime: tagOf(spec.baseImages.runtime) };
    expect(check(committed, spec)).toEqual({
      status: 1,
      stderr: `docker:build: container.lock.json pins ${spec.baseImages.build}@${committed.images[spec.baseImages.build]}, but the Dockerfile was synthesized before: run npx projen\n`,
    });
  });

  test('a changed package list', () => {
    const lock = structuredClone(committed);
    delete lock.packages[PLATFORM].coreutils;
    expect(check(lock)).toEqual({ status: 1, stderr: `docker:build: container.lock.json's Debian packages for ${PLATFORM} differ from the declared list (+coreutils): run npx projen docker:lock\n` });
  });
});
