/**
 * The design choices of the container issue, measured side by side with ours:
 * production dependencies from a `deps` stage (ours) vs `npm prune` in the
 * build stage, and node copied onto debian:trixie-slim (ours) vs the node
 * image with npm kept (`keepNpm`). The variants come from bench/variants.ts.
 */
import { removeContainer } from './exec';
import { measureBuilds, type ImageDef } from './measure-build';
import { fileBytes, inImage, measureSize } from './measure-size';
import { startContainer, stopContainer } from './measure-startstop';
import type { DesignImage, DesignResults } from './types';
import type { Variant } from './variants';

export const VARIANT_TAGS = { prune: 'bench-prune:latest', keepNpm: 'bench-keepnpm:latest' } as const;

/** Shell snippet: `npm\t<version>` / `npx\t<version>` for each tool on PATH. */
const NPM_SCRIPT = 'for c in npm npx; do if command -v "$c" >/dev/null 2>&1; then '
  + 'printf "%s\\t%s\\n" "$c" "$("$c" --version 2>/dev/null || echo present)"; fi; done; true';

/** Parses {@link NPM_SCRIPT}'s output. Pure. */
export function parseNpmTools(out: string): { npm: string | null; npx: string | null } {
  const found = new Map(out.split('\n').map((l) => l.trim().split('\t')).filter((p) => p.length === 2).map(([k, v]) => [k, v]));
  return { npm: found.get('npm') ?? null, npx: found.get('npx') ?? null };
}

/** Starts a container of `tag`, waits for 200 on the health path, stops it. Never throws. */
async function answers(label: string, tag: string, healthPath: string, log: (m: string) => void): Promise<boolean> {
  let name: string | undefined;
  try {
    const c = await startContainer({ label, tag }, healthPath);
    name = c.name;
    await stopContainer(c.name);
    return true;
  } catch (e) {
    log(`design ${label}: no 200 on ${healthPath}: ${(e as Error).message.split('\n')[0]}`);
    return false;
  } finally {
    if (name) await removeContainer(name);
  }
}

async function describe(
  tag: string,
  v: Variant,
  workdir: string,
  healthPath: string,
  log: (m: string) => void,
  checkHealth: boolean,
): Promise<DesignImage> {
  const size = await measureSize(tag, v.runtimeBase);
  const nodeModules = await fileBytes(tag, workdir, ['node_modules']);
  const tools = parseNpmTools(await inImage(tag, NPM_SCRIPT));
  const healthy = checkHealth ? await answers(v.label, tag, healthPath, log) : null;
  log(`design ${v.label}: image ${size.image}, payload ${size.payload} (on ${v.runtimeBase}), node_modules ${nodeModules}, `
    + `npm ${tools.npm ?? 'absent'}, npx ${tools.npx ?? 'absent'}, health ${healthy ?? 'not checked'}`);
  return { change: v.change, size, nodeModules, ...tools, healthy };
}

/**
 * Builds the prune and keepNpm variants (`runs` cold builds, each followed by
 * `warmPerRun` warm rebuilds after a one-line change, the Build table's
 * method) and describes them and ours (`oursTag`, already built).
 */
export async function measureDesign(
  root: string,
  variants: Readonly<Record<Variant['label'], Variant>>,
  opts: { readonly oursTag: string; readonly workdir: string; readonly healthPath: string; readonly runs: number; readonly warmPerRun: number },
  log: (m: string) => void,
): Promise<DesignResults> {
  const def = (v: Variant, tag: string, watch?: RegExp): ImageDef => {
    const dockerfile = `bench-variant-${v.label}.Dockerfile`;
    return { label: v.label, tag, dockerfile, files: { [dockerfile]: v.dockerfile }, watch };
  };
  const prune = def(variants.prune, VARIANT_TAGS.prune, /\bRUN\b.*\bnpm\s+prune\b/);
  const keepNpm = def(variants.keepNpm, VARIANT_TAGS.keepNpm);
  const builds = await measureBuilds(root, [prune, keepNpm], opts.runs, log, opts.warmPerRun);
  return {
    runs: opts.runs,
    warmPerRun: opts.warmPerRun,
    // Ours already answered in the start/stop measure; checking it here would only repeat it.
    ours: await describe(opts.oursTag, variants.ours, opts.workdir, opts.healthPath, log, false),
    prune: { ...(await describe(prune.tag, variants.prune, opts.workdir, opts.healthPath, log, true)), build: builds.prune },
    keepNpm: { ...(await describe(keepNpm.tag, variants.keepNpm, opts.workdir, opts.healthPath, log, true)), build: builds.keepNpm },
  };
}
