/**
 * `npx projen bench:soak`: the image `docker:build` tagged for this engine's
 * platform, run as the production pod runs it, under the mixed load for
 * SOAK.durationS (bench/targets.ts); writes docs/soak.md and the results it
 * renders (docs/soak.json). Exits 1 when the container did not survive.
 *
 * Env: SOAK_SECONDS (the load's duration), BENCH_ROOT (project, default
 * this repo), VERSION (the image's tag, as docker:build reads it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectEngine } from './engine';
import { exec } from './exec';
import { machineInfo } from './machine';
import { measureSoak } from './measure-soak';
import { renderSoakReport, soakSummary } from './soak-report';
import { CPUS, LOAD, POSTGRES, SOAK, SOAK_OUTPUTS } from './targets';
import type { SoakResults } from './types';
import { CONTAINER_SPEC_PATH, podRunSettings, readSpec } from '../packages/projen-container/src';
import { kustomize } from '../packages/projen-container/src/verify';

const log = (msg: string): void => void process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function main(): Promise<void> {
  const root = path.resolve(process.env.BENCH_ROOT ?? path.join(__dirname, '..'));
  const spec = readSpec(path.join(root, CONTAINER_SPEC_PATH));
  const pod = spec.checks.runtime.find((c) => c.kind === 'pod');
  if (pod?.kind !== 'pod') throw new Error(`${CONTAINER_SPEC_PATH} has no pod check: the soak runs the image as its Deployment does`);
  if (!spec.migrateCommand) throw new Error(`${CONTAINER_SPEC_PATH} declares no migrateCommand: the mixed load needs the app's schema`);
  const settings = podRunSettings(kustomize(path.join(root, pod.kustomization)), pod.container);
  if (settings.memoryLimitMiB === undefined) throw new Error(`${pod.container} in ${pod.kustomization} has no memory limit to soak at`);
  const image = `${spec.imageName}:${process.env.VERSION || spec.version}`;
  const engine = await connectEngine(spec.engineHelp);
  if (!(await engine.docker.getImage(image).inspect().then(() => true, () => false))) throw new Error(`image ${image} missing: build it with npx projen docker:build`);

  const seconds = Number(process.env.SOAK_SECONDS);
  const durationS = Number.isInteger(seconds) && seconds > 0 ? seconds : SOAK.durationS;
  const machine = await machineInfo(engine, image, os.loadavg()[0]);
  const head = (await exec('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, allowFail: true })).stdout.trim() || 'unknown';
  const dirty = (await exec('git', ['status', '--porcelain'], { cwd: root, allowFail: true })).stdout.trim() !== '';
  log(`${image} with ${pod.container} of ${pod.kustomization}: ${settings.memoryLimitMiB} MiB, NODE_OPTIONS=${settings.env.NODE_OPTIONS ?? ''}, ${durationS} s`);

  const run = await measureSoak(engine, image, settings, {
    port: spec.port, healthPath: spec.healthPath, metricsPath: spec.metricsPath, migrateCommand: spec.migrateCommand,
  }, { durationS, sampleS: SOAK.sampleS, connections: LOAD.connections }, log);

  const results: SoakResults = {
    date: now(),
    revision: `${head}${dirty ? ' + uncommitted changes' : ''}`,
    machine: { ...machine, load: [machine.load[0], os.loadavg()[0]] },
    image,
    pod: `${pod.container} in \`kubectl kustomize ${pod.kustomization}\``,
    memoryLimitMiB: settings.memoryLimitMiB,
    nodeOptions: settings.env.NODE_OPTIONS ?? '',
    heapFill: run.heapFill,
    params: {
      'connections': LOAD.connections,
      'server CPU': CPUS.server,
      'load CPU': CPUS.load,
      'sample every': `${SOAK.sampleS} s`,
      'database': `${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}, a new one`,
    },
    durationS,
    warmupS: Math.round(durationS * SOAK.warmupShare),
    samples: run.samples,
    load: run.load,
    end: run.end,
  };
  fs.writeFileSync(path.join(root, SOAK_OUTPUTS.results), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(root, SOAK_OUTPUTS.report), renderSoakReport(results));
  const s = soakSummary(results);
  log(`wrote ${SOAK_OUTPUTS.report}: ${s.survived ? 'survived' : 'did not survive'}, OOM-killed ${results.end.oomKilled ? 'yes' : 'no'}, `
    + `RSS after warm-up ${s.afterWarmup?.rssMiB?.toFixed(1) ?? 'n/a'} MiB, at the end ${s.end?.rssMiB?.toFixed(1) ?? 'n/a'} MiB`);
  if (!s.survived) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`soak failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
