import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import { join } from 'path';
import { withShellcheck } from '../projenrc/support/shellcheck';

const ROOT = join(__dirname, '..', '..');
/** This machine's scripts and the CI entry point: what `.ci/run` executes, as shell. */
const SCRIPTS = [...readdirSync(join(ROOT, 'ci')).filter((f) => f.endsWith('.sh')).map((f) => `ci/${f}`), '.ci/run'];

describe('ShellCheck on ci/ and .ci/run, following what they source', () => {
  test('there are scripts to check', () => {
    expect(SCRIPTS).toEqual(expect.arrayContaining(['ci/provision.sh', 'ci/round-trip.sh', 'ci/stand-in-bases.sh', '.ci/run']));
  });

  withShellcheck.each(SCRIPTS)('%s: no finding at any severity', (script) => {
    // From the root, as .ci/run runs them: `source ci/env.sh` and the `shellcheck source=` directives resolve from there.
    const run = spawnSync('shellcheck', ['-x', '--format=gcc', script], { cwd: ROOT, encoding: 'utf8', env: process.env });
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
