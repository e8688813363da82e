/**
 * `npx projen` with nothing to change: this project, and a consumer of the
 * package (a fresh app with the README's quickstart), each beside a fresh
 * projen TypeScript app, measured the same way in turn. All run in temp dirs,
 * never in the working tree, on the repo's installed packages.
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
import { withQuickstart } from './quickstart';
import { summarize } from './stats';
import { CONSUMER_SYNTH_RATIO_MAX, SYNTH_MAX_S } from './targets';
import type { Party, Section } from './types';

/** The command measured, the same for each. */
const SYNTH = ['projen', '--no-post'];

/** The package, relative to the project. */
const PACKAGE_DIR = 'packages/projen-container';

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

/**
 * What the package README's quickstart asks of the app it is added to, for both apps: the anchor is the plain
 * projen app that the consumer starts from.
 */
const NEW_APP = ['--entrypoint', 'lib/index.js', '--min-node-version', '24.0.0', '--repository', 'https://github.com/example/hello'];

/** A fresh `projen new typescript-app`, created with the repo's projen and without git or install. */
async function freshApp(root: string, label: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${label}-`));
  await exec(process.execPath, [path.join(root, 'node_modules', 'projen', 'bin', 'projen'), 'new', 'typescript-app', '--no-git', '--no-post', ...NEW_APP], {
    cwd: dir, timeoutMs: 300_000,
  });
  linkPackages(root, dir);
  return dir;
}

/**
 * A fresh app with the package README's quickstart added, as a user adds it. `projen-container` resolves through
 * the linked node_modules to the package in this repository, so its compiled lib/ is brought up to date first.
 */
async function consumerApp(root: string): Promise<string> {
  const pkg = path.join(root, PACKAGE_DIR);
  await exec('npx', ['tsc', '--build'], { cwd: pkg, timeoutMs: 300_000 });
  const dir = await freshApp(root, 'consumer');
  const projenrc = path.join(dir, '.projenrc.ts');
  fs.writeFileSync(projenrc, withQuickstart(fs.readFileSync(projenrc, 'utf8'), fs.readFileSync(path.join(pkg, 'README.md'), 'utf8')));
  return dir;
}

/** The sections of one run's samples, in seconds: ours and the consumer, each beside the fresh app. Pure. */
export function synthSections(times: Readonly<Record<'ours' | 'fresh' | 'consumer', readonly number[]>>, runs: number): Section[] {
  const fresh: Party = { label: 'fresh app', what: `a new \`projen new typescript-app ${NEW_APP.join(' ')}\`, same projen, same packages` };
  const params = { runs, command: `\`npx ${SYNTH.join(' ')}\`` };
  const method = 'Wall time of the default task with nothing to change; the three run in turn, the order rotating run to run.';
  return [{
    title: 'Synthesis',
    subject: { label: 'ours', what: 'this project (`.projenrc.ts`, `projenrc-local/` and the package\'s sources), in a temp copy' },
    anchor: fresh,
    params,
    method,
    rows: [{
      metric: 'synthesis with no changes',
      unit: 's',
      subject: summarize(times.ours),
      anchor: summarize(times.fresh),
      headline: true,
      target: { max: SYNTH_MAX_S, source: 'bench/targets.ts SYNTH_MAX_S' },
    }],
  }, {
    title: 'Synthesis in a consumer',
    subject: { label: 'consumer', what: `the fresh app with the quickstart of \`${PACKAGE_DIR}/README.md\` added, importing the package's compiled lib/` },
    anchor: fresh,
    params,
    method,
    rows: [{
      metric: 'consumer synthesis with no changes',
      unit: 's',
      subject: summarize(times.consumer),
      anchor: summarize(times.fresh),
      headline: true,
      target: { ratioMax: CONSUMER_SYNTH_RATIO_MAX, source: 'bench/targets.ts CONSUMER_SYNTH_RATIO_MAX' },
    }],
  }];
}

export async function measureSynth(root: string, runs: number, log: (m: string) => void): Promise<Section[]> {
  const dirs: Partial<Record<'ours' | 'fresh' | 'consumer', string>> = {};
  try {
    dirs.ours = makeContext(root, 'synth');
    linkPackages(root, dirs.ours);
    dirs.fresh = await freshApp(root, 'fresh-app');
    dirs.consumer = await consumerApp(root);
    const parties = ['ours', 'fresh', 'consumer'] as const;
    const times = { ours: [] as number[], fresh: [] as number[], consumer: [] as number[] };
    for (let i = 0; i < runs; i++) {
      for (const party of [...parties.slice(i % 3), ...parties.slice(0, i % 3)]) {
        const r = await exec('npx', SYNTH, { cwd: dirs[party], timeoutMs: 300_000 });
        times[party].push(r.ms / 1000);
        log(`synth ${party} #${i + 1}: ${(r.ms / 1000).toFixed(1)} s`);
      }
    }
    return synthSections(times, runs);
  } finally {
    for (const dir of Object.values(dirs)) removeContext(dir);
  }
}
