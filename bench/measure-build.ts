/**
 * Cold build and warm rebuild times, with evidence (BuildKit `CACHED`) that
 * the dependency-install layers were reused on the warm rebuild.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeContext, removeContext, touchSource } from './context';
import { docker } from './exec';
import { summarize } from './stats';
import type { BuildResult, WatchedStep } from './types';

/** One image under test: its tag and its Dockerfile relative to the context. */
export interface ImageDef {
  readonly label: string;
  readonly tag: string;
  readonly dockerfile: string;
  /** `--build-arg`s, computed per build (e.g. REVISION/CREATED as `docker:build` passes them). */
  readonly buildArgs?: () => Readonly<Record<string, string>>;
  /** Files written into each context copy before building (a variant's rendered Dockerfile). */
  readonly files?: Readonly<Record<string, string>>;
  /** A step whose re-running on every warm rebuild is the point of the comparison (e.g. `npm prune`). */
  readonly watch?: RegExp;
}

export interface BuildStep {
  readonly id: number;
  readonly name: string;
  readonly cached: boolean;
  /** From `#N DONE 12.3s`; 0 when cached or not reported. */
  readonly seconds: number;
}

/**
 * Parses `--progress=plain` output into its steps (`#N [stage i/n] INSTR`),
 * whether each was `#N CACHED` and its `#N DONE 1.2s` duration. Pure.
 */
export function parseBuildSteps(log: string): BuildStep[] {
  const names = new Map<number, string>();
  const cached = new Set<number>();
  const seconds = new Map<number, number>();
  for (const line of log.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const id = Number(m[1]);
    const rest = m[2];
    // In plain progress the first line of a vertex is its name: `#7 [deps 3/4] RUN ...`, `#9 exporting to image`.
    if (!names.has(id)) {
      names.set(id, rest.replace(/\s+/g, ' ').trim());
      continue;
    }
    const done = /^DONE ([\d.]+)s$/.exec(rest);
    if (done) seconds.set(id, Number(done[1]));
    else if (rest === 'CACHED') cached.add(id);
  }
  return [...names.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([id, name]) => ({ id, name, cached: cached.has(id), seconds: seconds.get(id) ?? 0 }));
}

/** Steps that install dependencies (`npm ci` / `npm install`). Pure. */
export function dependencySteps(steps: readonly BuildStep[]): BuildStep[] {
  return steps.filter((s) => /\bRUN\b.*\bnpm\s+(ci|install|i)\b/.test(s.name));
}

/** The `n` longest-running steps, longest first. Pure. */
export function slowestSteps(steps: readonly BuildStep[], n: number): BuildStep[] {
  return [...steps].filter((s) => s.seconds >= 0.5).sort((a, b) => b.seconds - a.seconds).slice(0, n);
}

export interface BuildRun {
  readonly ms: number;
  readonly steps: BuildStep[];
}

/** `docker build` of `def` in `ctx`; host network (the only one allowed here). */
export async function buildImage(ctx: string, def: ImageDef, noCache: boolean): Promise<BuildRun> {
  const args = ['build', '--network', 'host', '--progress=plain', '-f', path.join(ctx, def.dockerfile), '-t', def.tag];
  if (noCache) args.push('--no-cache');
  for (const [k, v] of Object.entries(def.buildArgs?.() ?? {})) args.push('--build-arg', `${k}=${v}`);
  args.push(ctx);
  const r = await docker(args, { timeoutMs: 15 * 60_000 });
  return { ms: r.ms, steps: parseBuildSteps(r.stderr + r.stdout) };
}

/** Drops all BuildKit cache, cache mounts (/root/.npm) included: the next build is truly cold. */
export async function pruneBuildCache(): Promise<void> {
  await docker(['builder', 'prune', '-af']);
}

/**
 * For each run and image (order alternated run to run): prune the build
 * cache, build `--no-cache` (cold), then `warmPerRun` times append a comment
 * line to `src/index.ts` in the context copy and rebuild (warm).
 */
export async function measureBuilds(
  root: string,
  defs: readonly ImageDef[],
  runs: number,
  log: (msg: string) => void,
  warmPerRun = 1,
): Promise<Record<string, BuildResult>> {
  interface Acc { cold: number[]; warm: number[]; ratio: number[]; cached: boolean[]; steps: BuildStep[]; slow: BuildStep[]; watched: BuildStep[] }
  const acc = new Map<string, Acc>();
  for (const d of defs) acc.set(d.label, { cold: [], warm: [], ratio: [], cached: [], steps: [], slow: [], watched: [] });
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [...defs].reverse() : defs;
    for (const def of order) {
      const a = acc.get(def.label)!;
      const ctx = makeContext(root, def.label);
      try {
        for (const [file, text] of Object.entries(def.files ?? {})) fs.writeFileSync(path.join(ctx, file), text);
        await pruneBuildCache();
        const cold = await buildImage(ctx, def, true);
        a.cold.push(cold.ms);
        for (let w = 0; w < warmPerRun; w++) {
          touchSource(ctx, `${def.label} ${i}.${w} ${Date.now()}`);
          const warm = await buildImage(ctx, def, false);
          const deps = dependencySteps(warm.steps);
          const watched = def.watch ? warm.steps.filter((s) => def.watch!.test(s.name)) : [];
          a.warm.push(warm.ms);
          a.ratio.push(warm.ms / cold.ms);
          a.cached.push(deps.length > 0 && deps.every((s) => s.cached));
          a.watched.push(...watched);
          a.steps = deps;
          a.slow = slowestSteps(warm.steps, 3);
          log(`build ${def.label} #${i + 1}${warmPerRun > 1 ? `.${w + 1}` : ''}: cold ${(cold.ms / 1000).toFixed(1)} s, `
            + `warm ${(warm.ms / 1000).toFixed(1)} s, deps steps ${deps.map((s) => (s.cached ? 'CACHED' : 'RAN')).join('/') || 'none found'}`
            + (def.watch ? `, watched ${watched.map((s) => `${s.cached ? 'CACHED' : 'RAN'} ${s.seconds} s`).join('/') || 'not found'}` : ''));
        }
      } finally {
        removeContext(ctx);
      }
    }
  }
  const out: Record<string, BuildResult> = {};
  for (const [label, a] of acc) {
    const hasWatch = defs.find((d) => d.label === label)?.watch !== undefined;
    out[label] = {
      cold: summarize(a.cold),
      warm: summarize(a.warm),
      ratio: summarize(a.ratio),
      depsCached: a.cached,
      depsSteps: a.steps.map((s) => ({ name: s.name, cached: s.cached })),
      warmSlowest: a.slow.map((s) => ({ name: s.name, seconds: s.seconds })),
      ...(hasWatch ? { watched: watchedSummary(a.watched, a.warm.length) } : {}),
    };
  }
  return out;
}

/** How often, and how long, the watched step ran over `warmBuilds` warm rebuilds. Pure. */
export function watchedSummary(steps: readonly BuildStep[], warmBuilds: number): WatchedStep {
  const ran = steps.filter((s) => !s.cached);
  return {
    name: steps[0]?.name ?? 'not found',
    ran: ran.length,
    of: warmBuilds,
    seconds: summarize(ran.map((s) => s.seconds)),
  };
}
