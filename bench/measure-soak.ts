/**
 * Issue 29's soak: the built image run as the production pod runs it (its
 * env with the heap limit, user, hardening and memory limit, read from the
 * pod check's overlay as `kubectl kustomize` renders it), under
 * bench/mixed-load.ts against a throwaway database, its memory sampled
 * throughout; then whether the kernel OOM-killed it.
 */
import type Docker from 'dockerode';
import { newRunId, RunScope, startTimed, stopTimed, type Engine } from './engine';
import { pinSelf, unpinSelf, withMigratedDatabase } from './measure-mixed';
import { mixedLoad, type MixedLoadResult } from './mixed-load';
import { CPUS } from './targets';
import type { SoakEnd, SoakSample } from './types';
import type { PodRunSettings } from '../packages/projen-container/src';
import { httpGet, sleep } from '../packages/projen-container/src/engine';
import { fillHeap, podHostConfig, type HeapFill } from '../packages/projen-container/src/verify';

const MIB = 2 ** 20;

/** An unlabelled metric of a Prometheus text exposition, bytes as MiB; none when absent. Pure. */
export function metricMiB(exposition: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(exposition);
  return m ? Number(m[1]) / MIB : undefined;
}

/**
 * Usage less inactive file pages, in MiB: what `docker stats` shows and the
 * kubelet calls the working set (cgroup v1's `total_inactive_file`, v2's
 * `inactive_file`). None for a container that is gone. Pure.
 */
export function workingSetMiB(memory: Partial<Docker.MemoryStats> | undefined): number | undefined {
  if (memory?.usage === undefined) return undefined;
  const inactive = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
  return (inactive < memory.usage ? memory.usage - inactive : memory.usage) / MIB;
}

/** What the soak needs of the app, from the spec. */
export interface SoakApp {
  readonly port: number;
  /** Answered 200 once the app serves with its database. */
  readonly healthPath: string;
  /** Where RSS and heap in use are read; without it, only the container's working set is sampled. */
  readonly metricsPath?: string;
  readonly migrateCommand: readonly string[];
}

export interface SoakParams {
  readonly durationS: number;
  readonly sampleS: number;
  readonly connections: number;
}

export interface SoakRun {
  readonly heapFill: HeapFill;
  readonly samples: readonly SoakSample[];
  readonly load: MixedLoadResult;
  readonly end: SoakEnd;
}

/**
 * Fills a heap with the pod's settings (V8's limit, and whether V8 or the
 * kernel stops it), then starts the image so on a freshly migrated database,
 * samples its memory once idle and every `sampleS` during the load and once
 * after it, then reads how the container ended before stopping it.
 */
export async function measureSoak(
  engine: Engine, image: string, settings: PodRunSettings, app: SoakApp, p: SoakParams, log: (m: string) => void,
): Promise<SoakRun> {
  const scope = new RunScope(engine, newRunId(), image);
  try {
    const heapFill = await fillHeap(scope, 'soak', settings);
    if (heapFill instanceof Error) throw heapFill;
    return await withMigratedDatabase(scope, image, app.migrateCommand, settings.env, async (url) => {
      const request = {
        name: 'soak',
        env: { ...settings.env, DATABASE_URL: url },
        user: `${settings.user}:${settings.groupId}`,
        hostConfig: { ...podHostConfig(settings), CpusetCpus: CPUS.server },
      };
      const c = await startTimed(scope, request, app.healthPath, app.port);
      try {
        const origin = new URL(c.url).origin;
        const sample = async (atS: number): Promise<SoakSample> => {
          const metrics = app.metricsPath ? await httpGet(`${origin}${app.metricsPath}`, 5000).catch(() => undefined) : undefined;
          const scraped = metrics?.status === 200 ? metrics.body : '';
          const stats = await c.container.stats({ 'stream': false, 'one-shot': true }).catch(() => undefined);
          const readings = {
            rssMiB: metricMiB(scraped, 'process_resident_memory_bytes'),
            heapUsedMiB: metricMiB(scraped, 'nodejs_heap_size_used_bytes'),
            workingSetMiB: workingSetMiB(stats?.memory_stats),
          };
          return { atS: Math.round(atS), ...Object.fromEntries(Object.entries(readings).filter(([, v]) => v !== undefined)) };
        };
        const samples = [await sample(0)];
        await pinSelf(CPUS.load);
        const t0 = performance.now();
        const elapsedS = () => (performance.now() - t0) / 1000;
        let finished = false;
        const load = mixedLoad({ baseUrl: origin, connections: p.connections, durationS: p.durationS }).finally(() => { finished = true; });
        while (!finished) {
          await Promise.race([sleep(p.sampleS * 1000), load.catch(() => undefined)]);
          if (finished) break;
          const s = await sample(elapsedS());
          samples.push(s);
          if (s.atS % 60 < p.sampleS) log(`soak ${s.atS} s: RSS ${s.rssMiB?.toFixed(1) ?? '?'} MiB, heap used ${s.heapUsedMiB?.toFixed(1) ?? '?'} MiB, working set ${s.workingSetMiB?.toFixed(1) ?? '?'} MiB`);
        }
        const result = await load;
        samples.push(await sample(elapsedS()));
        const state = (await c.container.inspect()).State;
        return { heapFill, samples, load: result, end: { oomKilled: state.OOMKilled, running: state.Running, exitCode: state.ExitCode } };
      } finally {
        await unpinSelf();
        await stopTimed(c.container).catch(() => undefined);
      }
    });
  } finally {
    await scope.sweep();
  }
}
