/**
 * Issue 11's mixed load: POST, GET by id and a list page against the API
 * with a real PostgreSQL, ours beside the docker-init baseline (the same app
 * packaged the other way), each on a fresh throwaway database.
 *
 * INTEGRATION POINT: `bench/mixed-load.ts` comes from another branch and
 * exports `mixedLoad({ baseUrl, connections, durationS })`. Until it is
 * merged, `loadMixedLoad()` finds no module and the run notes the section
 * as not measured; after the merge, replace `loadMixedLoad()` with
 * `import { mixedLoad } from './mixed-load';` and adapt `toLoadRun` to its result.
 */
import * as os from 'node:os';
import { Client } from 'pg';
import { newRunId, retrying, RunScope, startTimed, stopTimed, type Engine } from './engine';
import { exec } from './exec';
import { loadSection, type LoadParams, type LoadRun, type Server } from './measure-run';
import { POSTGRES } from './targets';
import type { Section } from './types';

/** The contract expected of bench/mixed-load.ts; its result is assumed to be autocannon's. */
type MixedLoad = (o: { baseUrl: string; connections: number; durationS: number }) => Promise<{
  requests: { average: number }; latency: { p50: number; p99: number }; errors: number; timeouts?: number; non2xx: number;
}>;

function loadMixedLoad(): MixedLoad | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./mixed-load') as { mixedLoad: MixedLoad }).mixedLoad;
  } catch {
    return undefined;
  }
}

const toLoadRun = (r: Awaited<ReturnType<MixedLoad>>): LoadRun => ({
  rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + (r.timeouts ?? 0) + r.non2xx,
});

async function admin(sql: string): Promise<void> {
  const c = new Client({ ...POSTGRES, database: 'postgres' });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The whole bench process (every thread) on `cpus`, so in-process load stays off the server's CPU. */
const pinSelf = (cpus: string) => exec('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]);

async function once(engine: Engine, server: Server, migrate: readonly string[], p: LoadParams, run: MixedLoad): Promise<LoadRun> {
  const db = `bench_mixed_${newRunId().replace(/-/g, '_')}`;
  const url = `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${db}`;
  await admin(`CREATE DATABASE ${db}`);
  try {
    const scope = new RunScope(engine, newRunId(), server.image);
    const env = { ...server.request.env, DATABASE_URL: url };
    const m = await scope.run({ name: 'migrate', entrypoint: [migrate[0]], cmd: migrate.slice(1), env, network: 'reachable' });
    if (m.exitCode !== 0) throw new Error(`${server.party.label}: ${migrate.join(' ')} exited ${m.exitCode}`);
    const c = await startTimed(scope, { ...server.request, name: 'mixed', env, hostConfig: { CpusetCpus: p.serverCpus } }, p.path, server.port);
    try {
      await pinSelf(p.loadCpus);
      return toLoadRun(await run({ baseUrl: new URL(c.url).origin, connections: p.connections, durationS: p.durationS }));
    } finally {
      await pinSelf(`0-${os.cpus().length - 1}`);
      await stopTimed(c.container).catch(() => undefined);
    }
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

/** Resolves undefined when bench/mixed-load.ts is not merged yet. */
export async function measureMixed(
  engine: Engine, subject: Server, anchor: Server, migrate: readonly string[], p: LoadParams, log: (m: string) => void,
): Promise<Section | undefined> {
  const run = loadMixedLoad();
  if (!run) return undefined;
  const acc = new Map<Server, LoadRun[]>([[subject, []], [anchor, []]]);
  for (let i = 0; i < p.runs; i++) {
    for (const server of i % 2 ? [anchor, subject] : [subject, anchor]) {
      const r = await retrying(engine, `mixed ${server.party.label}`, () => once(engine, server, migrate, p, run), log);
      acc.get(server)!.push(r);
      log(`mixed ${server.party.label} #${i + 1}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`);
    }
  }
  const rows = loadSection(acc.get(subject)!, acc.get(anchor)!);
  return {
    ...rows,
    method: `Each run: a throwaway database, the image's own migration, then bench/mixed-load.ts (POST, GET by id, list page) in the bench process pinned to the load CPUs. ${rows.method}`,
    title: 'Mixed load with PostgreSQL',
    subject: subject.party,
    anchor: anchor.party,
    params: { ...p, database: `${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}, a new database per run` },
  };
}
