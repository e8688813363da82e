import { checkRegistry, indexDigest, indexRefs, manifestFlags, pushedDigest, refusal } from '../../../packages/projen-container/src/publish/publishable';

const ID = `sha256:${'1'.repeat(64)}`;
const OTHER = `sha256:${'2'.repeat(64)}`;
const PATH = 'test-reports/verify-report.json';
const ARM = 'linux/arm64';
const checked = (imageId: string) => [
  { platform: 'linux/amd64', image: 'demo:1.0.0-amd64', imageId: OTHER },
  { platform: ARM, image: 'demo:1.0.0-arm64', imageId },
];

describe('what docker:publish accepts', () => {
  test('only the image the last verify run passed for that platform, by id', () => {
    expect(refusal(ARM, ID, [{ path: PATH, report: { ok: true, images: checked(ID) } }])).toBeUndefined();
  });

  test('with one report per platform (CI\'s legs), each platform\'s own passing report decides', () => {
    const amd = { path: 'amd64/verify-report.json', report: { ok: true, images: checked(ID).slice(0, 1) } };
    const arm = (ok: boolean, imageId: string) => ({ path: 'arm64/verify-report.json', report: { ok, images: checked(imageId).slice(1) } });
    expect(refusal(ARM, ID, [amd, arm(true, ID)])).toBeUndefined();
    expect(refusal(ARM, ID, [amd, arm(false, ID)])).toMatch(/demo:1.0.0-arm64 \(111111111111\) failed verification \(arm64\/verify-report.json\)/);
    expect(refusal(ARM, ID, [amd, arm(true, OTHER)])).toMatch(/checked 222222222222 for linux\/arm64, not this image 111111111111/);
    expect(refusal(ARM, ID, [amd, { path: 'arm64/verify-report.json' }])).toMatch(/checked no image for linux\/arm64/);
  });

  test.each([
    ['no report', undefined, /no verify report at test-reports\/verify-report.json/],
    ['a report of another image', { ok: true, images: checked(OTHER) }, /checked 222222222222 for linux\/arm64, not this image 111111111111/],
    ['a report of another platform only', { ok: true, images: checked(ID).slice(0, 1) }, /checked no image for linux\/arm64/],
    ['a failed report', { ok: false, images: checked(ID) }, /demo:1.0.0-arm64 \(111111111111\) failed verification/],
  ])('refuses %s', (_name, report, message) => {
    expect(refusal(ARM, ID, [{ path: PATH, report }])).toMatch(message);
  });

  test('REGISTRY names a repository', () => {
    expect(checkRegistry('ghcr.io/acme/course-supporter')).toBe('ghcr.io/acme/course-supporter');
    expect(checkRegistry('127.0.0.1:5000/acme/api')).toBe('127.0.0.1:5000/acme/api');
    expect(() => checkRegistry(undefined)).toThrow('REGISTRY must name a repository such as ghcr.io/<owner>/<image>, got ""');
    expect(() => checkRegistry('ghcr.io/Acme/api:1.0')).toThrow(/got "ghcr.io\/Acme\/api:1.0"/);
  });

  test('the pushed digest is the one of the pushed repository', () => {
    expect(pushedDigest('127.0.0.1:5000/acme/api', [`demo@${OTHER}`, `127.0.0.1:5000/acme/api@${ID}`])).toBe(ID);
    expect(pushedDigest('127.0.0.1:5000/acme/api', [`demo@${OTHER}`])).toBeUndefined();
  });

  test('TAGS are tags or references of REGISTRY, each one index', () => {
    const registry = '127.0.0.1:5000/acme/api';
    expect(indexRefs(registry, ['1.2.3', `${registry}:1`])).toEqual([`${registry}:1.2.3`, `${registry}:1`]);
    expect(() => indexRefs(registry, [])).toThrow('TAGS names no tag to publish');
    expect(() => indexRefs(registry, ['ghcr.io/other/api:1'])).toThrow(/got "ghcr.io\/other\/api:1"/);
  });

  test('plain HTTP for the index only on loopback registries', () => {
    expect(manifestFlags('127.0.0.1:5000/ci/api')).toEqual(['--insecure']);
    expect(manifestFlags('localhost:5000/api')).toEqual(['--insecure']);
    expect(manifestFlags('ghcr.io/acme/api')).toEqual([]);
    expect(manifestFlags('127.0.0.1.example.com/api')).toEqual([]);
  });

  test('the index digest is the last thing docker manifest push prints', () => {
    expect(indexDigest(`Pushed ref 127.0.0.1:5000/ci/api@${OTHER} with digest: ${OTHER}\n${ID}\n`)).toBe(ID);
    expect(indexDigest('error\n')).toBeUndefined();
  });
});
