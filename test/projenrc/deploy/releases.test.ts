import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { digestOf, synthDeploy } from './fixture';
import { toolCommand } from '../../../packages/projen-container/src/container/tool-command';
import { PLACEHOLDER_DIGEST } from '../../../packages/projen-container/src/deploy/defaults';
import { parseReleases, readReleases, recordRelease } from '../../../packages/projen-container/src/deploy/releases';

const ENVS = ['staging', 'production'];
const F = 'deploy/releases.json';

describe('the releases file', () => {
  test('each environment\'s version and digest; an environment without one gets the package version and the placeholder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'releases-'));
    writeFileSync(join(dir, 'r.json'), JSON.stringify({ production: { version: '2.0.0', digest: digestOf('c') } }));
    expect(readReleases(join(dir, 'r.json'), F, ENVS, '0.1.0')).toEqual({
      staging: { version: '0.1.0', digest: PLACEHOLDER_DIGEST },
      production: { version: '2.0.0', digest: digestOf('c') },
    });
    expect(readReleases(join(dir, 'missing.json'), F, ENVS, '0.1.0').production).toEqual({ version: '0.1.0', digest: PLACEHOLDER_DIGEST });
  });

  test.each([
    ['not json', 'deploy/releases.json: not JSON'],
    ['[]', '"(root)" must be an object of environments'],
    [JSON.stringify({ prod: { version: '1.0.0', digest: digestOf('a') } }), '"prod" must be a declared environment (staging, production), got "prod"'],
    [JSON.stringify({ production: { version: '1.0.0+build.5', digest: digestOf('a') } }), '"production.version" must be a release version'],
    [JSON.stringify({ production: { version: '1.0.0', digest: 'sha256:abc' } }), '"production.digest" must be sha256:<64 hex>, got "sha256:abc"'],
    [JSON.stringify({ production: { version: '1.0.0', digest: digestOf('a'), image: 'x' } }), '"production" may hold only "version" and "digest"'],
  ])('refuses %s', (text, message) => {
    expect(() => parseReleases(F, text, ENVS)).toThrow(message);
  });

  test('a recorded release changes only its own overlay, and the docs', () => {
    const before = synthDeploy();
    const after = synthDeploy({}, { releases: { production: { version: '1.4.0', digest: digestOf('a') } } });
    const files = (out: Record<string, any>, prefix: string) => Object.entries(out).filter(([p]) => p.startsWith(prefix));
    expect(files(after.out, 'deploy/kubernetes/base/')).toEqual(files(before.out, 'deploy/kubernetes/base/'));
    expect(files(after.out, 'deploy/kubernetes/overlays/staging/')).toEqual(files(before.out, 'deploy/kubernetes/overlays/staging/'));
    expect(after.out['deploy/kubernetes/overlays/production/kustomization.yaml']).toContain(digestOf('a'));
    expect(after.docs).toContain(`| \`1.4.0\`, \`${digestOf('a').slice(0, 19)}…\` |`);
  });
});

describe('deploy:release', () => {
  const given = (ENVIRONMENT?: string, VERSION?: string, DIGEST?: string) => ({ ENVIRONMENT, VERSION, DIGEST });

  test('writes one environment\'s release and keeps the others, in the declared order', () => {
    const first = recordRelease(undefined, ENVS, given('production', '1.4.0', digestOf('a')));
    expect(JSON.parse(first)).toEqual({ production: { version: '1.4.0', digest: digestOf('a') } });
    const second = recordRelease(first, ENVS, given('staging', '1.5.0-rc.1', digestOf('b')));
    expect(Object.keys(JSON.parse(second))).toEqual(['staging', 'production']);
    expect(JSON.parse(recordRelease(second, ENVS, given('production', '1.5.0', digestOf('c'))))).toEqual({
      staging: { version: '1.5.0-rc.1', digest: digestOf('b') },
      production: { version: '1.5.0', digest: digestOf('c') },
    });
    expect(first.endsWith('}\n')).toBe(true);
  });

  test.each([
    [given(undefined, '1.0.0', digestOf('a')), 'ENVIRONMENT is not set: ENVIRONMENT=<staging|production> VERSION=<release> DIGEST=sha256:<digest>'],
    [given('production', '1.0.0', undefined), 'DIGEST is not set'],
    [given('prod', '1.0.0', digestOf('a')), '"prod" must be a declared environment (staging, production), got "prod"'],
    [given('production', '1.0.0', 'abc'), '"production.digest" must be sha256:<64 hex>, got "abc"'],
  ])('refuses %j before writing anything', (g, message) => {
    expect(() => recordRelease(undefined, ENVS, g)).toThrow(message);
  });

  test('is a task that passes the declared environments and then synthesizes', () => {
    const s = synthDeploy({}, { kubernetes: { environments: { production: {}, qa: {} } } });
    expect(s.out['.projen/tasks.json'].tasks['deploy:release'].steps).toEqual([
      { exec: `${toolCommand(s.outdir, 'deploy/release-cli')} production,qa` },
      { spawn: 'default' },
    ]);
  });
});
