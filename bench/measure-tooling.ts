/**
 * Tooling time: `npx projen` synthesis, and `docker:verify` on an already
 * built image ("warm"). Synthesis runs in a temp copy of the repo (with
 * node_modules symlinked) so it never rewrites files in the working tree.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeContext, removeContext } from './context';
import { DOCKER, exec } from './exec';
import { summarize } from './stats';
import type { ToolingResult } from './types';

/** Does the synthesized `.projen/tasks.json` define `task`? */
export function hasTask(root: string, task: string): boolean {
  try {
    const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')) as { tasks?: Record<string, unknown> };
    return Boolean(tasks.tasks && task in tasks.tasks);
  } catch {
    return false;
  }
}

export async function measureSynth(root: string, runs: number, log: (m: string) => void): Promise<number[]> {
  const copy = makeContext(root, 'synth');
  try {
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await exec('npx', ['projen'], { cwd: copy, timeoutMs: 300_000 });
      times.push(r.ms);
      log(`synth #${i + 1}: ${(r.ms / 1000).toFixed(1)} s`);
    }
    return times;
  } finally {
    removeContext(copy);
  }
}

/** The closing summary line of a docker:verify run, e.g. `FAILED: 24 passed, 1 failed, 1 skipped`. Pure. */
export function verifySummary(output: string): string {
  const m = /^(?:[A-Z]+: )?\d+ passed, \d+ failed.*$/m.exec(output);
  return m ? m[0].replace(/ in [\d.]+ s$/, '') : 'no summary line';
}

/** Times docker:verify on an existing image; a failing verdict is still a timing, reported with its summary. */
export async function measureVerify(
  root: string,
  image: string,
  runs: number,
  log: (m: string) => void,
): Promise<{ times: number[]; summary: string }> {
  const times: number[] = [];
  let summary = '';
  // The JSON report goes to a temp file, not the repo's test-reports/.
  const report = path.join(os.tmpdir(), `bench-verify-${process.pid}.json`);
  for (let i = 0; i < runs; i++) {
    const r = await exec('npx', ['projen', 'docker:verify', '--image', image, '--report', report], {
      cwd: root, timeoutMs: 600_000, allowFail: true, env: { ...process.env, DOCKER },
    });
    summary = `exit ${r.code}, ${verifySummary(r.stdout + r.stderr)}`;
    times.push(r.ms);
    log(`docker:verify #${i + 1}: ${(r.ms / 1000).toFixed(1)} s (${summary})`);
  }
  fs.rmSync(report, { force: true });
  return { times, summary };
}

export async function measureTooling(
  root: string,
  image: string,
  runs: number,
  log: (m: string) => void,
): Promise<ToolingResult> {
  let synth = null;
  try {
    synth = summarize(await measureSynth(root, runs, log));
  } catch (e) {
    log(`synth failed: ${(e as Error).message}`);
  }
  if (!hasTask(root, 'docker:verify')) {
    return { synth, verify: null, verifyNote: 'n/a: no `docker:verify` task in .projen/tasks.json' };
  }
  try {
    const v = await measureVerify(root, image, runs, log);
    return {
      synth,
      verify: summarize(v.times),
      verifyNote: `\`npx projen docker:verify --image ${image}\` on the already built image; last verdict: ${v.summary}`,
    };
  } catch (e) {
    log(`docker:verify failed to run: ${(e as Error).message}`);
    return { synth, verify: null, verifyNote: `n/a: docker:verify did not run (${(e as Error).message.split('\n')[0]})` };
  }
}
