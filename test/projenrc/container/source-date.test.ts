import { execFileSync } from 'child_process';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { BUILD_ARGS } from '../../../packages/projen-container/src/container/dockerfile';
import { CREATED_EXPRESSION, sourceDateProblem } from '../../../packages/projen-container/src/container/source-date';
import { repoCommittedAt } from '../support/git-repo';

/** The value docker:build passes as CREATED, evaluated by sh as the task does. */
function created(cwd: string, env: Record<string, string> = {}): string {
  return execFileSync('sh', ['-c', `printf %s "${CREATED_EXPRESSION}"`], { cwd, env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });
}

describe('the created label', () => {
  test('is the commit\'s time in UTC, whatever the committer\'s zone, the same on every build of the commit', () => {
    const repo = repoCommittedAt('2026-11-30T23:15:07+02:00');
    expect(created(repo)).toBe('2026-11-30T21:15:07Z');
    expect(created(repo, { TZ: 'America/New_York' })).toBe('2026-11-30T21:15:07Z');
  });

  test('is SOURCE_DATE_EPOCH when the caller sets it', () => {
    const repo = repoCommittedAt('2026-11-30T23:15:07+02:00');
    expect(created(repo, { SOURCE_DATE_EPOCH: '1700000000' })).toBe('2023-11-14T22:13:20Z');
  });

  test('outside a checkout is the Dockerfile\'s default, never the clock', () => {
    expect(created(mkdtempSync(join(tmpdir(), 'no-git-')), { GIT_CEILING_DIRECTORIES: tmpdir() })).toBe(BUILD_ARGS.CREATED);
  });

  test('a SOURCE_DATE_EPOCH that is not whole seconds stops the build, naming the variable and the value', () => {
    expect(sourceDateProblem(undefined)).toBeUndefined();
    expect(sourceDateProblem('1700000000')).toBeUndefined();
    expect(sourceDateProblem('2026-12-01')).toBe('SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got "2026-12-01"');
    expect(sourceDateProblem('-1')).toMatch(/got "-1"/);
  });
});
