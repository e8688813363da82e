/**
 * Cold build and warm rebuild after a one-line source edit, ours beside the
 * docker-init baseline, with BuildKit's own evidence (`CACHED`) that the
 * dependency install was reused.
 */
import * as path from 'node:path';
import { makeContext, removeContext, touchSource } from './context';
import { docker } from './exec';
import { summarize } from './stats';
import { COLD_BUILD_RATIO_MAX, WARM_OVER_COLD_MAX } from './targets';
import type { Party, Row, Section } from './types';

/** One image under test: its tag and its Dockerfile relative to the build context. */
export interface ImageDef {
  readonly party: Party;
  readonly tag: string;
  readonly dockerfile: string;
  /** `--build-arg`s, computed per build (REVISION/CREATED as `docker:build` passes them). */
  readonly buildArgs?: () => Readonly<Record<string, string>>;
  /** `--platform`, as docker:build passes it per platform; the engine's own when unset. */
  readonly platform?: string;
}

export interface BuildStep { readonly name: string; readonly cached: boolean; readonly seconds: number }

/** `--progress=plain` output as its steps: `#N [stage i/n] INSTR`, `#N CACHED`, `#N DONE 1.2s`. Pure. */
export function parseBuildSteps(log: string): BuildStep[] {
  const steps = new Map<number, { name: string; cached: boolean; seconds: number }>();
  for (const line of log.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const step = steps.get(Number(m[1]));
    if (!step) steps.set(Number(m[1]), { name: m[2].replace(/\s+/g, ' ').trim(), cached: false, seconds: 0 });
    else if (m[2] === 'CACHED') step.cached = true;
    else if (/^DONE [\d.]+s$/.test(m[2])) step.seconds = parseFloat(m[2].slice(5));
  }
  return [...steps.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/** The steps that install dependencies (`npm ci` / `npm install`). Pure. */
export const dependencySteps = (steps: readonly BuildStep[]): BuildStep[] => steps.filter((s) => /\bRUN\b.*\bnpm\s+(ci|install|i)\b/.test(s.name));

/** `docker build` on the host network (the only one allowed here); resolves its wall time and steps. */
export async function buildImage(ctx: string, def: ImageDef, noCache: boolean): Promise<{ ms: number; steps: BuildStep[] }> {
  const args = ['build', '--network', 'host', '--progress=plain', '-f', path.join(ctx, def.dockerfile), '-t', def.tag];
  if (noCache) args.push('--no-cache');
  if (def.platform) args.push('--platform', def.platform);
  for (const [k, v] of Object.entries(def.buildArgs?.() ?? {})) args.push('--build-arg', `${k}=${v}`);
  const r = await docker([...args, ctx], { timeoutMs: 30 * 60_000 });
  return { ms: r.ms, steps: parseBuildSteps(r.stderr + r.stdout) };
}

/**
 * Per run, in alternating order: drop all build cache (cache mounts
 * included), build `--no-cache` in a copy of the project, append a comment
 * to `src/index.ts` in the copy, rebuild.
 */
export async function measureBuilds(root: string, subject: ImageDef, anchor: ImageDef, runs: number, log: (m: string) => void): Promise<Section> {
  const fresh = () => ({ cold: [] as number[], warm: [] as number[], ratio: [] as number[], cached: [] as number[] });
  const acc = new Map([[subject, fresh()], [anchor, fresh()]]);
  const notes: string[] = [];
  for (let i = 0; i < runs; i++) {
    for (const def of i % 2 ? [anchor, subject] : [subject, anchor]) {
      const a = acc.get(def)!;
      const ctx = makeContext(root, def.party.label);
      try {
        await docker(['builder', 'prune', '-af']);
        const cold = await buildImage(ctx, def, true);
        touchSource(ctx, `${def.party.label} ${i} ${Date.now()}`);
        const warm = await buildImage(ctx, def, false);
        const deps = dependencySteps(warm.steps);
        a.cold.push(cold.ms / 1000);
        a.warm.push(warm.ms / 1000);
        a.ratio.push(warm.ms / cold.ms);
        a.cached.push(deps.length > 0 && deps.every((s) => s.cached) ? 1 : 0);
        const slow = [...warm.steps].sort((x, y) => y.seconds - x.seconds)[0];
        if (i === runs - 1 && slow) notes.push(`${def.party.label}'s last warm rebuild spent longest in \`${slow.name.slice(0, 120)}\` (${slow.seconds.toFixed(1)} s).`);
        log(`build ${def.party.label} #${i + 1}: cold ${(cold.ms / 1000).toFixed(1)} s, warm ${(warm.ms / 1000).toFixed(1)} s, `
          + `npm steps ${deps.map((s) => (s.cached ? 'CACHED' : 'RAN')).join('/') || 'none found'}`);
      } finally {
        removeContext(ctx);
      }
    }
  }
  const [s, b] = [acc.get(subject)!, acc.get(anchor)!];
  const rows: Row[] = [
    {
      metric: 'cold build (`--no-cache`, build cache pruned)',
      unit: 's',
      subject: summarize(s.cold),
      anchor: summarize(b.cold),
      target: { ratioMax: COLD_BUILD_RATIO_MAX, source: 'bench/targets.ts COLD_BUILD_RATIO_MAX' },
      headline: true,
    },
    { metric: 'warm rebuild (one-line edit in src/)', unit: 's', subject: summarize(s.warm), anchor: summarize(b.warm), headline: true },
    {
      metric: 'warm ÷ cold',
      unit: 'ratio',
      subject: summarize(s.ratio),
      anchor: summarize(b.ratio),
      target: { max: WARM_OVER_COLD_MAX, source: 'bench/targets.ts WARM_OVER_COLD_MAX' },
    },
    {
      metric: 'every npm install step CACHED on the warm rebuild',
      unit: 'runs',
      subject: summarize(s.cached),
      anchor: summarize(b.cached),
      target: { equals: 1, source: 'the deps layers must survive a source edit' },
    },
  ];
  return {
    title: 'Build',
    subject: subject.party,
    anchor: anchor.party,
    params: { runs },
    method: 'Each run prunes the build cache, builds cold, appends a comment line to src/index.ts in a temporary copy of the project and rebuilds; the order alternates run to run.',
    rows,
    notes,
  };
}
