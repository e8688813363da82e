/**
 * `npx projen bench`: builds ours and the docker-init baseline, measures
 * each figure beside its anchor in this one run, and regenerates
 * docs/benchmarks.md, the results it renders (docs/benchmarks.json) and
 * the README's headline. Facts and thresholds come from the spec
 * (`readSpec`), every other parameter from bench/targets.ts.
 *
 * Env: BENCH_RUNS (N for every measure), BENCH_DURATION (load seconds),
 * BENCH_ROOT (project, default this repo), BENCH_RENDER=1 (re-render the
 * report and the README from docs/benchmarks.json, measuring nothing),
 * DOCKER (the CLI for builds, default `docker`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectEngine } from './engine';
import { exec } from './exec';
import { machineInfo } from './machine';
import { measureBuilds, type ImageDef } from './measure-build';
import { measureImages } from './measure-image';
import { measureMixed } from './measure-mixed';
import { measurePlatforms } from './measure-platforms';
import { measureStartStop, measureThroughput, startStopSection, type LoadParams, type Server, type StartStop } from './measure-run';
import { measureSynth } from './measure-synth';
import { readmeHeadline, withReadmeHeadline } from './readme-headline';
import { renderReport, tally } from './report';
import { buildRuntimeVariants } from './runtime-variants';
import {
  BASELINE, BENCH_OUTPUTS, CPUS, HEALTH_THROUGHPUT_RATIO_MIN, LIVENESS_THROUGHPUT_RATIO_MIN, LOAD, RUNS,
  START_ONE_WORKER_RATIO_MAX, START_RATIO_MAX, TAGS,
} from './targets';
import type { BenchResults, Party, Section, Target } from './types';
import { CONTAINER_SPEC_PATH, readSpec } from '../packages/projen-container/src';
import { nodeImageOf, runtimeFrom } from '../packages/projen-container/src/dockerfile';

const log = (msg: string): void => void process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
function envInt(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function main(): Promise<void> {
  const t0 = performance.now();
  const root = path.resolve(process.env.BENCH_ROOT ?? path.join(__dirname, '..'));
  if (process.env.BENCH_RENDER) {
    writeOutputs(root, JSON.parse(fs.readFileSync(path.join(root, BENCH_OUTPUTS.results), 'utf8')) as BenchResults);
    return log(`re-rendered ${BENCH_OUTPUTS.report} and ${BENCH_OUTPUTS.readme} from ${BENCH_OUTPUTS.results}`);
  }
  const runs = (k: keyof typeof RUNS): number => envInt('BENCH_RUNS') ?? RUNS[k];
  const spec = readSpec(path.join(root, CONTAINER_SPEC_PATH));
  // The baseline's FROM, node:${NODE_VERSION}-trixie-slim, with the spec's major: our build stage's image.
  const baselineBase = nodeImageOf(spec.nodeMajor);
  const engine = await connectEngine(spec.engineHelp);
  for (const base of new Set([spec.baseImages.build, spec.baseImages.runtime, baselineBase])) {
    if (!(await engine.docker.getImage(base).inspect().then(() => true, () => false))) throw new Error(`base image ${base} missing: pull it, or build the stand-ins with ci/stand-in-bases.sh`);
  }
  const machine = await machineInfo(engine, baselineBase, os.loadavg()[0]);
  const head = (await exec('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, allowFail: true })).stdout.trim() || 'unknown';
  const dirty = (await exec('git', ['status', '--porcelain'], { cwd: root, allowFail: true })).stdout.trim() !== '';
  const revision = `${head}${dirty ? ' + uncommitted changes' : ''}`;
  log(`root ${root}, revision ${revision}, spec ${CONTAINER_SPEC_PATH}, engine ${engine.address}`);

  // The thresholds the check plan declares.
  const size = spec.checks.metadata.find((c) => c.field === 'size');
  const stop = spec.checks.runtime.find((c) => c.kind === 'stop');
  const sizeTarget: Target | undefined = size?.field === 'size' ? { max: size.maxMb, source: `${CONTAINER_SPEC_PATH} checks.metadata ${size.name}.maxMb` } : undefined;
  const stopTarget: Target = stop?.kind === 'stop' ? { max: stop.limitMs, source: `${CONTAINER_SPEC_PATH} checks.runtime ${stop.name}.limitMs` } : { source: 'no stop check in the plan' };

  const ours: Party = {
    label: 'ours',
    what: `\`${TAGS.ours}\`, the synthesized Dockerfile, \`runtime: ${spec.runtime}\`, `
      + `CMD \`${spec.cmd.join(' ')}\` with ${spec.workers} workers`,
  };
  const baseline: Party = { label: 'docker init', what: `\`${TAGS.baseline}\`, \`${BASELINE.dockerfile}\`: the same app as \`docker init\` writes it, one stage on \`${baselineBase}\`` };
  const bare: Party = { label: 'bare node:http', what: `\`bench/bare-server.js\` run by ours' image itself (\`--entrypoint node\`), a cluster of ${spec.workers} workers like ours` };
  const bareRequest = (workers: number, healthPath: string): Server['request'] => ({
    entrypoint: ['node'], cmd: ['-e', fs.readFileSync(path.join(__dirname, 'bare-server.js'), 'utf8')], env: { WORKERS: String(workers), HEALTH_PATH: healthPath },
  });
  // One worker: the pod's setting, and the fair throughput comparison (one CPU for the server).
  const ours1: Server = { party: { label: 'ours, 1 worker', what: `${ours.what.replace(/ with \d+ workers$/, '')} with \`WEB_CONCURRENCY=1\`` }, image: TAGS.ours, port: spec.port, request: { env: { WEB_CONCURRENCY: '1' } } };
  const bare1: Server = {
    party: { label: 'bare node:http, 1 process', what: '`bench/bare-server.js` run by ours\' image itself, one process like ours with one worker' },
    image: TAGS.ours,
    port: spec.port,
    request: bareRequest(1, spec.healthPath),
  };
  const servers: Record<'ours' | 'baseline' | 'bare', Server> = {
    ours: { party: ours, image: TAGS.ours, port: spec.port, request: {} },
    baseline: { party: baseline, image: TAGS.baseline, port: spec.port, request: { env: { WEB_CONCURRENCY: String(spec.workers) } } },
    bare: {
      party: bare,
      image: TAGS.ours,
      port: spec.port,
      request: bareRequest(spec.workers, spec.healthPath),
    },
  };

  const sections: Section[] = [];
  const notes: string[] = [];
  const measure = async (what: string, fn: () => Promise<Section | Section[] | undefined>): Promise<void> => {
    try {
      const s = await fn();
      if (s) sections.push(...[s].flat());
      else notes.push(`${what}: not measured in this run.`);
    } catch (e) {
      log(`${what} failed: ${(e as Error).stack ?? String(e)}`);
      notes.push(`${what}: not measured, it failed: ${(e as Error).message.split('\n')[0]}`);
    }
  };

  // The same build args as `npx projen docker:build` (they only feed the final LABEL).
  const oursBuild: ImageDef = { party: ours, tag: TAGS.ours, dockerfile: 'Dockerfile', buildArgs: () => ({ REVISION: head, CREATED: now() }) };
  const baselineBuild: ImageDef = {
    party: baseline, tag: TAGS.baseline, dockerfile: BASELINE.dockerfile, buildArgs: () => ({ NODE_VERSION: String(spec.nodeMajor) }),
  };
  sections.push(await measureBuilds(root, oursBuild, baselineBuild, runs('build'), log));

  // The construct's other runtimes, rendered from the same resolved spec, counted beside ours.
  const variants = await buildRuntimeVariants(root, spec, log);
  await measure('image facts', () => measureImages(engine,
    [{
      party: ours,
      tag: TAGS.ours,
      base: runtimeFrom(spec),
      sizeTarget,
      goals: true,
    }, ...variants],
    { party: baseline, tag: TAGS.baseline, base: baselineBase }, log));
  await measure('start and stop', async () => {
    const r = await measureStartStop(engine, [servers.ours, servers.bare, servers.baseline, ours1, bare1], spec.healthPath, runs('start'), log);
    const pair = (s: Server): [Server, StartStop] => [s, r.get(s)!];
    return [
      startStopSection(pair(servers.ours), pair(servers.bare), spec.healthPath, stopTarget, 'start', { ratioMax: START_RATIO_MAX, source: 'bench/targets.ts START_RATIO_MAX' }),
      startStopSection(pair(ours1), pair(bare1), spec.healthPath, stopTarget, 'start', { ratioMax: START_ONE_WORKER_RATIO_MAX, source: 'bench/targets.ts START_ONE_WORKER_RATIO_MAX' }),
      startStopSection(pair(servers.ours), pair(servers.baseline), spec.healthPath, stopTarget, 'stop'),
    ];
  });
  const load: LoadParams = {
    path: spec.healthPath, ...LOAD, durationS: envInt('BENCH_DURATION') ?? LOAD.durationS, runs: runs('load'), serverCpus: CPUS.server, loadCpus: CPUS.load,
  };
  await measure('throughput', () => measureThroughput(engine, ours1, bare1, load, { ratioMin: HEALTH_THROUGHPUT_RATIO_MIN, source: 'bench/targets.ts HEALTH_THROUGHPUT_RATIO_MIN' }, log));
  if (spec.livenessPath) {
    const live = spec.livenessPath;
    await measure('liveness throughput', () => measureThroughput(engine, ours1, { ...bare1, request: bareRequest(1, live) }, { ...load, path: live },
      { ratioMin: LIVENESS_THROUGHPUT_RATIO_MIN, source: 'bench/targets.ts LIVENESS_THROUGHPUT_RATIO_MIN' }, log));
  }
  await measure('mixed load (bench/mixed-load.ts)', async () => (spec.migrateCommand
    ? measureMixed(engine, servers.ours, servers.baseline, spec.migrateCommand, { ...load, warmupS: 0 }, log)
    : undefined));
  await measure('platforms', () => measurePlatforms(engine, {
    root, platforms: spec.platforms, ours: servers.ours, bare: servers.bare, healthPath: spec.healthPath, sizeTarget, build: oursBuild, runs: runs('start'),
  }, log));
  await measure('synthesis', () => measureSynth(root, runs('synth'), log));

  const results: BenchResults = {
    date: now(),
    revision,
    durationMin: (performance.now() - t0) / 60_000,
    machine: { ...machine, load: [machine.load[0], os.loadavg()[0]] },
    spec: CONTAINER_SPEC_PATH,
    sections,
    notes,
  };
  writeOutputs(root, results);
  const [ok, judged] = tally(results);
  log(`wrote ${BENCH_OUTPUTS.report} (targets met ${ok}/${judged}), ${BENCH_OUTPUTS.results} and the headline in ${BENCH_OUTPUTS.readme}`);
}

/** The report, the results it is rendered from, and the README's headline, all from one results object. */
function writeOutputs(root: string, results: BenchResults): void {
  fs.writeFileSync(path.join(root, BENCH_OUTPUTS.results), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(root, BENCH_OUTPUTS.report), renderReport(results));
  const readme = path.join(root, BENCH_OUTPUTS.readme);
  fs.writeFileSync(readme, withReadmeHeadline(fs.readFileSync(readme, 'utf8'), readmeHeadline(results)));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
