import { checkRegistry, pushedDigest, refusal } from '../../../projenrc/publish/publishable';

const ID = `sha256:${'1'.repeat(64)}`;
const OTHER = `sha256:${'2'.repeat(64)}`;
const PATH = 'test-reports/verify-report.json';

describe('what docker:publish accepts', () => {
  test('only the image the last verify run passed, by id', () => {
    expect(refusal(ID, { ok: true, imageId: ID, image: 'demo:1.0.0' }, PATH)).toBeUndefined();
  });

  test.each([
    ['no report', undefined, /no verify report at test-reports\/verify-report.json/],
    ['a report of another image', { ok: true, imageId: OTHER, image: 'demo:1.0.0' }, /checked 222222222222, not this image 111111111111/],
    ['a failed report', { ok: false, imageId: ID, image: 'demo:1.0.0' }, /demo:1.0.0 \(111111111111\) failed verification/],
  ])('refuses %s', (_name, report, message) => {
    expect(refusal(ID, report, PATH)).toMatch(message);
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
});
