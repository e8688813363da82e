import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { nativeAliasScript, platformTag } from '../../../packages/projen-container/src/container/image-tags';

/** Runs the alias script against a stub docker that reports `arch` and records its calls. */
function aliasCalls(arch: string, platforms: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'alias-'));
  const stub = join(dir, 'docker');
  writeFileSync(stub, `#!/bin/sh\nif [ "$1" = version ]; then echo ${arch}; else echo "$*" >>"${dir}/calls"; fi\n`, { mode: 0o755 });
  execFileSync('/bin/sh', ['-c', nativeAliasScript(stub, 'demo', '1.2.3', platforms)]);
  return readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
}

describe('image tags', () => {
  test('each platform\'s image is tagged with its architecture', () => {
    expect(platformTag('demo', '1.2.3', 'linux/arm64')).toBe('demo:1.2.3-arm64');
    expect(platformTag('demo', '1.2.3', 'linux/amd64')).toBe('demo:1.2.3-amd64');
  });

  test('the engine\'s own platform gets the plain tag and latest, so `docker run demo whoami` runs natively', () => {
    expect(aliasCalls('arm64', ['linux/amd64', 'linux/arm64'])).toEqual(['tag demo:1.2.3-arm64 demo:1.2.3', 'tag demo:1.2.3-arm64 demo:latest']);
    expect(aliasCalls('amd64', ['linux/amd64', 'linux/arm64'])).toEqual(['tag demo:1.2.3-amd64 demo:1.2.3', 'tag demo:1.2.3-amd64 demo:latest']);
  });

  test('an engine that runs none of the platforms gets the first declared one', () => {
    expect(aliasCalls('s390x', ['linux/arm64', 'linux/amd64'])).toEqual(['tag demo:1.2.3-arm64 demo:1.2.3', 'tag demo:1.2.3-arm64 demo:latest']);
  });
});
