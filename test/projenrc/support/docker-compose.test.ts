import { dockerComposeSkipReason } from './docker-compose';

/** The docker-compose tests never pass silently: without it they skip visibly, and in CI they fail. */
test('elsewhere without docker-compose, the suite is reported skipped, saying how to install it', () => {
  expect(dockerComposeSkipReason(undefined, undefined)).toBe('skipped: docker-compose is not installed: apt-get install -y docker-compose (ci/provision.sh does)');
});

test('in CI, or where docker-compose runs, the suite runs', () => {
  expect(dockerComposeSkipReason(undefined, 'true')).toBeUndefined();
  expect(dockerComposeSkipReason('docker-compose version 1.29.2, build unknown', undefined)).toBeUndefined();
});

test('in CI without docker-compose, each test fails naming the package', () => {
  let loaded!: typeof import('./docker-compose');
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    jest.isolateModules(() => { loaded = jest.requireActual('./docker-compose'); });
  } finally {
    process.env.PATH = saved;
  }
  expect(loaded.DOCKER_COMPOSE_VERSION).toBeUndefined();
  expect(() => loaded.dockerComposeConfig('docker-compose.yml', 'services: {}\n', '')).toThrow('docker-compose is not installed: apt-get install -y docker-compose');
});
