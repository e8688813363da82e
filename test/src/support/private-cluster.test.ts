import { skipReason, startPrivateCluster } from './private-cluster';

// The restart tests never pass silently: without the PostgreSQL server they skip saying why, and in CI they fail.
test('without the server programs, suites skip, naming what is missing', () => {
  expect(skipReason(undefined, undefined)).toBe('skipped: the PostgreSQL server programs (initdb, pg_ctl) are on neither PATH nor /usr/lib/postgresql/<major>/bin');
});

test('in CI, or where the server is installed, they run', () => {
  expect(skipReason(undefined, 'true')).toBeUndefined();
  expect(skipReason('/usr/lib/postgresql/15/bin', undefined)).toBeUndefined();
});

test('in CI without the server programs, a suite fails at its cluster, naming what is missing', async () => {
  await expect(startPrivateCluster(undefined)).rejects.toThrow('no private PostgreSQL cluster: the PostgreSQL server programs (initdb, pg_ctl) are on neither PATH');
});
