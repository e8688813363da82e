import { execFileSync } from 'child_process';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A fresh repository whose one commit was authored and committed at `date`, so a commit time is known. */
export function repoCommittedAt(date: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'committed-at-'));
  const env = { PATH: process.env.PATH, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  for (const args of [['init', '-q'], ['commit', '-q', '--allow-empty', '-m', 'one']]) execFileSync('git', args, { cwd: dir, env });
  return dir;
}
