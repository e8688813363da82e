/**
 * `npx projen bench`: builds ours, the docker-init baseline and the bare
 * health server (tags `bench-*`), measures them side by side in this one run
 * and regenerates docs/benchmarks.md.
 *
 * Env: BENCH_RUNS (N for every measure; default 3 for builds and tooling, 5
 * for start/stop, 2 for throughput), BENCH_BUILD_RUNS, BENCH_STARTSTOP_RUNS,
 * BENCH_THROUGHPUT_RUNS, BENCH_DURATION (autocannon seconds, default 10),
 * BENCH_ROOT (project to measure, default this repo), BENCH_OUT (report path,
 * default docs/benchmarks.md), BENCH_JSON (raw results, default
 * $TMPDIR/bench-results.json), BENCH_RENDER (re-render the report from such a
 * file without measuring). Design choices (bench/variants.ts): BENCH_VARIANT_RUNS
 * (cold builds per variant, default 1), BENCH_VARIANT_WARM (warm rebuilds after
 * each, default 2), BENCH_VARIANTS=0 (skip them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { docker, exec, imageExists } from './exec';
import { machineInfo } from './machine';
import { buildImage, ImageDef, measureBuilds } from './measure-build';
import { measureDesign } from './measure-design';
import { appDirBreakdown, measureNeeded, measureSize } from './measure-size';
import { measureStartStop, RunDef } from './measure-startstop';
import { measureThroughput } from './measure-throughput';
import { measureTooling } from './measure-tooling';
import { renderReport, sections, tally } from './report';
import type { BenchResults, DesignResults } from './types';
import { renderVariants } from './variants';
import { CONTAINER_SPEC_PATH, type ContainerSpec } from '../projenrc/container/container-spec';

/** The facts of the resolved declaration the bench reads, and where they came from. */
type SpecFacts = Pick<ContainerSpec, 'imageName' | 'workdir' | 'healthPath' | 'workers' | 'assets' | 'sizeBudgetMb' | 'baseImages'>
  & { readonly source: string };

const BASELINE_BASE = 'node:24-trixie-slim';
const BASELINE_WORKDIR = '/usr/src/app';
const TAGS = { ours: 'bench-ours:latest', baseline: 'bench-baseline:latest', bare: 'bench-bare:latest' } as const;

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

function log(msg: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

export function readSpec(root: string): SpecFacts {
  const file = path.join(root, CONTAINER_SPEC_PATH);
  if (!fs.existsSync(file)) throw new Error(`${file} not found: synthesize it first (npx projen)`);
  return { ...(JSON.parse(fs.readFileSync(file, 'utf8')) as ContainerSpec), source: CONTAINER_SPEC_PATH };
}

/** Starts dockerd and builds the offline stand-ins of any missing base image (both idempotent). */
async function ensureEngineAndBases(root: string, bases: readonly string[]): Promise<void> {
  const tools = path.join(root, 'tools');
  if ((await docker(['info'], { allowFail: true })).code !== 0 && fs.existsSync(path.join(tools, 'docker-engine.sh'))) {
    log('starting the docker engine');
    await exec('bash', [path.join(tools, 'docker-engine.sh')], { timeoutMs: 300_000 });
  }
  const missing: string[] = [];
  for (const b of new Set(bases)) if (!(await imageExists(b))) missing.push(b);
  if (missing.length > 0) {
    log(`building offline base images: ${missing.join(' ')}`);
    await exec('bash', [path.join(tools, 'offline-base.sh'), ...missing], { timeoutMs: 1_800_000 });
  }
}

/** BENCH_RENDER=<results.json>: only re-render the report from a previous run's raw results. */
function renderOnly(json: string, out: string): void {
  const results = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResults;
  fs.writeFileSync(out, renderReport(results));
  log(`re-rendered ${out} from ${json}`);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const loadStart = os.loadavg()[0];
  const root = path.resolve(process.env.BENCH_ROOT ?? path.join(__dirname, '..'));
  const out = path.resolve(process.env.BENCH_OUT ?? path.join(root, 'docs', 'benchmarks.md'));
  if (process.env.BENCH_RENDER) return renderOnly(process.env.BENCH_RENDER, out);
  const given = process.env.BENCH_RUNS ? envInt('BENCH_RUNS', 3) : undefined;
  const runs = {
    builds: envInt('BENCH_BUILD_RUNS', given ?? 3),
    startStop: envInt('BENCH_STARTSTOP_RUNS', given ?? 5),
    throughput: envInt('BENCH_THROUGHPUT_RUNS', given ?? 2),
  };
  const duration = envInt('BENCH_DURATION', 10);
  const design = process.env.BENCH_VARIANTS === '0'
    ? undefined
    : { runs: envInt('BENCH_VARIANT_RUNS', 1), warmPerRun: envInt('BENCH_VARIANT_WARM', 2) };
  const spec = readSpec(root);
  const notes: string[] = [];
  if (!fs.existsSync(path.join(root, 'Dockerfile'))) throw new Error(`${root}/Dockerfile not found: synthesize it first (npx projen)`);
  // Rendered before anything is measured: fails fast if the construct's model no longer renders our Dockerfile.
  const variants = design ? renderVariants(root) : undefined;

  log(`root ${root}; runs ${JSON.stringify(runs)}; design ${JSON.stringify(design ?? 'skipped')}; spec from ${spec.source}`);
  await ensureEngineAndBases(root, [spec.baseImages.build, spec.baseImages.runtime, BASELINE_BASE]);
  const machine = await machineInfo(BASELINE_BASE);
  log(`machine: ${machine.cpu}, ${machine.cores} cores, docker ${machine.docker}`);

  const revision = (await exec('git', ['rev-parse', 'HEAD'], { cwd: root, allowFail: true })).stdout.trim() || 'unknown';
  // The same build args as `npx projen docker:build` (they only feed the final LABEL).
  const ours: ImageDef = {
    label: 'ours',
    tag: TAGS.ours,
    dockerfile: 'Dockerfile',
    buildArgs: () => ({ REVISION: revision, CREATED: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }),
  };
  const baseline: ImageDef = { label: 'baseline', tag: TAGS.baseline, dockerfile: 'bench/baseline.Dockerfile' };

  // 1. Builds (cold, then warm after a one-line change), alternating the order.
  const build = await measureBuilds(root, [ours, baseline], runs.builds, log);

  // 1b. Design choices: the prune and keepNpm variants, by the same method, right after ours.
  let designResults: DesignResults | undefined;
  if (design && variants) {
    designResults = await measureDesign(root, variants, {
      oursTag: ours.tag, workdir: spec.workdir, healthPath: spec.healthPath, ...design,
    }, log);
  }

  // The bare health server: built once, untimed.
  await buildImage(path.join(__dirname, 'bare-health'), { label: 'bare', tag: TAGS.bare, dockerfile: 'Dockerfile' }, false);

  // 2. Size, payload, needed.
  const size = {
    ours: await measureSize(ours.tag, spec.baseImages.runtime),
    baseline: await measureSize(baseline.tag, BASELINE_BASE),
  };
  const needed = await measureNeeded({
    ours: { tag: ours.tag, workdir: spec.workdir },
    withNpm: { tag: baseline.tag, workdir: BASELINE_WORKDIR },
    assets: spec.assets,
  });
  const breakdown = {
    ours: await appDirBreakdown(ours.tag, spec.workdir),
    baseline: await appDirBreakdown(baseline.tag, BASELINE_WORKDIR),
  };
  log(`size: ours ${size.ours.image} (payload ${size.ours.payload}), baseline ${size.baseline.image} (payload ${size.baseline.payload}), `
    + `needed ${JSON.stringify(needed)}`);

  // 3. Start and stop.
  const runDefs: RunDef[] = [{ label: 'ours', tag: ours.tag }, { label: 'baseline', tag: baseline.tag }];
  const startStop = await measureStartStop(runDefs, spec.healthPath, runs.startStop, log);

  // 4. Throughput: ours with the spec's workers vs the bare server.
  const tp = await measureThroughput(
    [
      { label: 'ours', tag: ours.tag, env: { WEB_CONCURRENCY: String(spec.workers) } },
      { label: 'bare', tag: TAGS.bare, env: { HEALTH_PATH: spec.healthPath } },
    ],
    spec.healthPath,
    runs.throughput,
    { connections: 50, durationSec: duration, warmupSec: 2 },
    log,
  );

  // 5. Tooling.
  const tooling = await measureTooling(root, ours.tag, runs.builds, log);
  notes.push(`docker:verify: ${tooling.verifyNote}.`);
  notes.push(`1-minute load average ${loadStart.toFixed(1)} at the start and ${os.loadavg()[0].toFixed(1)} at the end of the run `
    + `(${machine.cores} cores): other work shared the machine, hence the min–max spread.`);
  const slowOurs = build.ours.warmSlowest[0];
  if (slowOurs) notes.push(`Ours' warm rebuild spends most of its time in \`${slowOurs.name}\` (${slowOurs.seconds.toFixed(1)} s in the last run).`);

  const results: BenchResults = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine,
    runs,
    size,
    needed,
    breakdown,
    spec: { sizeBudgetMb: spec.sizeBudgetMb, workers: spec.workers, healthPath: spec.healthPath, source: spec.source },
    build: { ours: build.ours, baseline: build.baseline },
    startStop: { ours: startStop.ours, baseline: startStop.baseline },
    throughput: { ours: tp.ours, bare: tp.bare, workers: spec.workers },
    tooling,
    design: designResults,
    durationMs: performance.now() - t0,
    notes,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, renderReport(results));
  const json = process.env.BENCH_JSON ?? path.join(os.tmpdir(), 'bench-results.json');
  fs.writeFileSync(json, JSON.stringify(results, null, 2));
  log(`raw results: ${json} (re-render with BENCH_RENDER=${json})`);
  const [ok, judged] = tally(sections(results));
  log(`wrote ${out}: targets met ${ok}/${judged}, ${(results.durationMs / 60_000).toFixed(1)} min`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
