import { RunScope } from './containers';

/** What the host asks the in-image probe to look at. */
export interface ProbeRequest {
  readonly workdir: string;
  /** Absolute paths whose kind (file, dir, ...) we want. */
  readonly paths: readonly string[];
  /** Paths relative to every user's home (from /etc/passwd) that must be reported if present, e.g. `.npm`. */
  readonly homeSubpaths: readonly string[];
  /** Command names to look up on the image's PATH. */
  readonly commands: readonly string[];
}

export type PathKind = 'file' | 'dir' | 'other';

/** Raw facts about the image's filesystem; judging them is left to pure functions on the host. */
export interface ProbeFacts {
  readonly kinds: Readonly<Record<string, PathKind | null>>;
  readonly homeHits: readonly string[];
  /** Entries of `<workdir>/node_modules/.bin`, or null when that folder does not exist. */
  readonly binEntries: readonly string[] | null;
  readonly onPath: Readonly<Record<string, string | null>>;
  /** From a walk of the whole workdir (symlinks not followed), as paths relative to it. */
  readonly walk: {
    readonly envFiles: readonly string[];
    readonly gitDirs: readonly string[];
    readonly srcTs: readonly string[];
    readonly entries: number;
  };
}

/**
 * Runs inside the image with its own node (the one thing a Node image must
 * have), so it needs no shell, find or ls. Plain ES2020 on purpose: it is
 * shipped as source text and must not depend on how this file was compiled.
 */
export const PROBE_SCRIPT = `
const fs = require('fs'), path = require('path');
const req = JSON.parse(process.env.VERIFY_PROBE);
const kind = (p) => { try { const s = fs.statSync(p); return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other'; } catch { return null; } };
const kinds = {}; for (const p of req.paths) kinds[p] = kind(p);
let homes = ['/root'];
try { homes = homes.concat(fs.readFileSync('/etc/passwd', 'utf8').split('\\n').map((l) => l.split(':')[5]).filter(Boolean)); } catch {}
const homeHits = [];
for (const h of [...new Set(homes)]) for (const s of req.homeSubpaths) { const p = path.posix.join(h, s); if (kind(p)) homeHits.push(p); }
let binEntries = null;
try { binEntries = fs.readdirSync(path.posix.join(req.workdir, 'node_modules/.bin')); } catch {}
const onPath = {};
const dirs = (process.env.PATH || '').split(':').filter(Boolean);
for (const c of req.commands) { onPath[c] = null; for (const d of dirs) { const p = path.posix.join(d, c); if (kind(p) === 'file') { onPath[c] = p; break; } } }
const walk = { envFiles: [], gitDirs: [], srcTs: [], entries: 0 };
const stack = [''];
while (stack.length && walk.entries < 500000) {
  const rel = stack.pop(); let list = [];
  try { list = fs.readdirSync(path.posix.join(req.workdir, rel), { withFileTypes: true }); } catch { continue; }
  for (const e of list) {
    walk.entries++;
    const r = rel ? rel + '/' + e.name : e.name;
    if (e.name.startsWith('.env')) walk.envFiles.push(r);
    if (e.name === '.git') walk.gitDirs.push(r);
    if (/^src\\/.*\\.ts$/.test(r)) walk.srcTs.push(r);
    if (e.isDirectory()) stack.push(r);
  }
}
process.stdout.write(JSON.stringify({ kinds, homeHits, binEntries, onPath, walk }));
`;

/**
 * Runs the probe as root: a non-root probe could not see into /root (mode
 * 700) and would report `/root/.npm` absent when it is merely unreadable.
 * No network: looking at files needs none.
 */
export async function runProbe(scope: RunScope, request: ProbeRequest): Promise<ProbeFacts> {
  const result = await scope.run({
    name: 'probe',
    entrypoint: ['node'],
    cmd: ['-e', PROBE_SCRIPT],
    env: { VERIFY_PROBE: JSON.stringify(request) },
    user: '0',
    network: 'none',
  });
  if (result.exitCode !== 0) {
    throw new Error(`probe exited ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 200)}`);
  }
  return JSON.parse(result.stdout) as ProbeFacts;
}
