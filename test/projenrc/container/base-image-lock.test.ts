import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { digestFor, lockedRef, readLock, renderLock, staleness, tagOf } from '../../../projenrc/container/base-image-lock';

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
    const text = renderLock({ 'node:24-trixie-slim': A, 'debian:trixie-slim': B });
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
});
