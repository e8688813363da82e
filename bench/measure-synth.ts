/**
 * `npx projen` with nothing to change: this project beside a fresh projen
 * TypeScript app, measured the same way. Both run in temp dirs, never in the
 * working tree, on the repo's installed packages.
 *
 * Safety: the temp dirs get a node_modules of their own holding one symlink
 * per installed package (never a symlink to the repo's node_modules itself),
 * and `--no-post` skips projen's post-synthesis `npm install` (the CLI
 * overrides PROJEN_DISABLE_POST). An install through a symlinked
 * node_modules would prune the repo's packages.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeContext, removeContext } from './context';
import { exec } from './exec';
import { summarize } from './stats';
import { SYNTH_MAX_S } from './targets';
import type { Party, Section } from './types';

/** The command measured, the same for both. */
const SYNTH = ['projen', '--no-post'];

/** `dir/node_modules`: a real folder of symlinks to `root/node_modules/*`, `.bin`'s relative links copied as links. */
export function linkPackages(root: string, dir: string): void {
  const from = path.join(root, 'node_modules');
  const to = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(to, '.bin'), { recursive: true });
  for (const entry of fs.readdirSync(from)) {
    if (entry === '.bin') continue;
    fs.symlinkSync(path.join(from, entry), path.join(to, entry));
  }
  for (const bin of fs.readdirSync(path.join(from, '.bin'))) {
    fs.symlinkSync(fs.readlinkSync(path.join(from, '.bin', bin)), path.join(to, '.bin', bin));
  }
}

/** A fresh `projen new typescript-app`, created with the repo's projen and without git or install. */
async function freshApp(root: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fresh-app-'));
  await exec(process.execPath, [path.join(root, 'node_modules', 'projen', 'bin', 'projen'), 'new', 'typescript-app', '--no-git', '--no-post'], {
    cwd: dir, timeoutMs: 300_000,
  });
  linkPackages(root, dir);
  return dir;
}

export async function measureSynth(root: string, runs: number, log: (m: string) => void): Promise<Section> {
  const ours = makeContext(root, 'synth');
  linkPackages(root, ours);
  const fresh = await freshApp(root);
  const times = new Map<string, number[]>([[ours, []], [fresh, []]]);
  try {
    for (let i = 0; i < runs; i++) {
      for (const dir of i % 2 ? [fresh, ours] : [ours, fresh]) {
        const r = await exec('npx', SYNTH, { cwd: dir, timeoutMs: 300_000 });
        times.get(dir)!.push(r.ms / 1000);
        log(`synth ${dir === ours ? 'ours' : 'fresh app'} #${i + 1}: ${(r.ms / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    removeContext(ours);
    removeContext(fresh);
  }
  const subject: Party = { label: 'ours', what: 'this project (`.projenrc.ts`, `projenrc-local/` and the package\'s sources), in a temp copy' };
  const anchor: Party = { label: 'fresh app', what: 'a new `projen new typescript-app`, same projen, same packages' };
  return {
    title: 'Synthesis',
    subject,
    anchor,
    params: { runs, command: `\`npx ${SYNTH.join(' ')}\`` },
    method: 'Wall time of the default task with nothing to change; the order alternates run to run.',
    rows: [{
      metric: 'synthesis with no changes',
      unit: 's',
      subject: summarize(times.get(ours)!),
      anchor: summarize(times.get(fresh)!),
      headline: true,
      target: { max: SYNTH_MAX_S, source: 'bench/targets.ts SYNTH_MAX_S' },
    }],
  };
}
