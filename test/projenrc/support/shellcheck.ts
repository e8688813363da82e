import { spawnSync } from 'child_process';

/**
 * ShellCheck (Debian's `shellcheck`) as hadolint runs it on a RUN body and
 * actionlint on a `run:` script: the script behind a shebang of its shell,
 * with the variables the file declares exported, judged at severity warning
 * (the workflows' `failure-threshold: warning`).
 */
export interface ShellcheckFinding {
  readonly code: number;
  readonly level: string;
  readonly line: number;
  readonly message: string;
}

// `env` explicitly: jest's process.env is the test's, child_process would otherwise read the runner's.
const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8', env: process.env });
/** Whether shellcheck runs here. CI must have it (ci/provision.sh, the workflows install it). */
export const SHELLCHECK_AVAILABLE = probe.status === 0;

/**
 * `test` where shellcheck runs or in CI (where its absence must fail, not
 * pass), `test.skip` on a development machine without it: reported as
 * skipped, never as passed.
 */
export const withShellcheck: jest.It = SHELLCHECK_AVAILABLE || process.env.CI ? test : test.skip;

export function shellcheck(script: string, shell: string, exported: readonly string[] = []): ShellcheckFinding[] {
  if (!SHELLCHECK_AVAILABLE) throw new Error('shellcheck is not installed: apt-get install -y shellcheck (ci/provision.sh does)');
  const text = `#!${shell}\n${exported.map((v) => `export ${v}=1\n`).join('')}${script}\n`;
  const run = spawnSync('shellcheck', ['--severity=warning', '--format=json1', '-'], { input: text, encoding: 'utf8', env: process.env });
  if (run.status !== 0 && run.status !== 1) throw new Error(`shellcheck failed (${run.status}): ${run.stderr}`);
  const { comments } = JSON.parse(run.stdout) as { comments: ShellcheckFinding[] };
  return comments.map(({ code, level, line, message }) => ({ code, level, line: line - 1 - exported.length, message }));
}
