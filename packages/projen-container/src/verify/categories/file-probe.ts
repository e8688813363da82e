import type { RunScope } from '../../engine';

/** What the host asks the in-image probe to resolve. */
export interface ProbeRequest {
  /** Absolute paths, `~/x` for x under every home, `**` for any depth and `*` within a name. */
  readonly patterns: readonly string[];
  /** Command names to look up on the image's PATH. */
  readonly commands: readonly string[];
  /** Directory entries one wildcard pattern may read before its walk stops. */
  readonly walkLimit: number;
}

export type PathKind = 'file' | 'dir' | 'other';

/** One concrete pattern (a `~/` one yields one per home) and what it matched. */
export interface Target {
  readonly pattern: string;
  readonly matches: readonly { readonly path: string; readonly kind: PathKind }[];
  /** The walk hit {@link ProbeRequest.walkLimit}: absence is unproven. */
  readonly truncated: boolean;
}

/** Raw facts about the image's filesystem; judging them is left to pure functions on the host. */
export interface FileFacts {
  readonly targets: Readonly<Record<string, readonly Target[]>>;
  /** Where each command resolves on the image's PATH, or null. */
  readonly commands: Readonly<Record<string, string | null>>;
}

/** Enough for a whole app's production node_modules; a runaway `**` stops and says so instead of running for minutes. */
export const WALK_LIMIT = 200_000;

/**
 * Runs inside the image with its own node, so it needs no shell, find or
 * ls. Plain ES2020 on purpose: it is shipped as source text and must not
 * depend on how this file was compiled. Symlinked folders are not walked,
 * so a link to / cannot loop.
 */
export const PROBE_SCRIPT = `
const fs = require('fs'), path = require('path').posix;
const req = JSON.parse(process.env.VERIFY_PROBE);
const kindOf = (p) => {
  try { const s = fs.statSync(p); return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other'; }
  catch { try { fs.lstatSync(p); return 'other'; } catch { return null; } }
};
let homes = ['/root'];
try { homes = homes.concat(fs.readFileSync('/etc/passwd', 'utf8').split('\\n').map((l) => l.split(':')[5]).filter((h) => h && h.startsWith('/'))); } catch {}
homes = [...new Set(homes)];
const wild = (s) => s.includes('*');
const nameRe = (s) => new RegExp('^' + s.split('*').map((x) => x.replace(/[.+?^\${}()|[\\]\\\\]/g, '\\\\$&')).join('[^/]*') + '$');
const resolve = (pattern) => {
  const segs = pattern.split('/').filter(Boolean);
  const first = segs.findIndex(wild);
  if (first < 0) { const k = kindOf(pattern); return { pattern, matches: k ? [{ path: pattern, kind: k }] : [], truncated: false }; }
  const found = new Map(); let budget = req.walkLimit; let truncated = false;
  const children = (dir) => {
    if (budget <= 0) { truncated = true; return []; }
    try { const list = fs.readdirSync(dir, { withFileTypes: true }); budget -= list.length; return list; } catch { return []; }
  };
  const walk = (dir, i) => {
    if (i === segs.length) { const k = kindOf(dir); if (k) found.set(dir, k); return; }
    const s = segs[i];
    if (s === '**') {
      walk(dir, i + 1);
      for (const e of children(dir)) if (e.isDirectory()) walk(path.join(dir, e.name), i);
    } else if (wild(s)) {
      const re = nameRe(s);
      for (const e of children(dir)) if (re.test(e.name)) walk(path.join(dir, e.name), i + 1);
    } else if (kindOf(path.join(dir, s))) {
      walk(path.join(dir, s), i + 1);
    }
  };
  walk('/' + segs.slice(0, first).join('/'), first);
  return { pattern, matches: [...found].map(([p, kind]) => ({ path: p, kind })), truncated };
};
const targets = {};
for (const p of req.patterns) {
  targets[p] = (p.startsWith('~/') ? homes.map((h) => path.join(h, p.slice(2))) : [p]).map(resolve);
}
const dirs = (process.env.PATH || '').split(':').filter(Boolean);
const executable = (p) => { try { const s = fs.statSync(p); return s.isFile() && (s.mode & 0o111) !== 0; } catch { return false; } };
const commands = {};
for (const c of req.commands) commands[c] = dirs.map((d) => path.join(d, c)).find(executable) || null;
process.stdout.write(JSON.stringify({ targets, commands }));
`;

/**
 * One container resolves every entry. As root: a non-root probe could not
 * see into /root (mode 700) and would call `/root/.npm` absent when it is
 * merely unreadable. No network: looking at files needs none.
 */
export async function runFileProbe(scope: RunScope, request: ProbeRequest): Promise<FileFacts> {
  const result = await scope.run({
    name: 'files',
    entrypoint: ['node'],
    cmd: ['-e', PROBE_SCRIPT],
    env: { VERIFY_PROBE: JSON.stringify(request) },
    user: '0',
    network: 'none',
  }, 120_000);
  if (result.exitCode !== 0) {
    throw new Error(`file probe exited ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 200)}`);
  }
  return JSON.parse(result.stdout) as FileFacts;
}
