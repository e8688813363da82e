/**
 * Issue 11's mixed load: POST, GET by id and a list page against the API
 * with a real PostgreSQL, ours beside the docker-init baseline (the same app
 * packaged the other way), each on a fresh throwaway database.

 */
import * as os from 'node:os';
import { Client } from 'pg';
import { newRunId, retrying, RunScope, startTimed, stopTimed, type Engine } from './engine';
import { exec } from './exec';
import { loadSection, type LoadParams, type LoadRun, type Server } from './measure-run';
import { mixedLoad, type MixedLoadResult } from './mixed-load';
import { MIXED_RATIO_MIN, POSTGRES } from './targets';
import type { Section } from './types';

type MixedLoad = typeof mixedLoad;

const toLoadRun = (r: MixedLoadResult): LoadRun => ({ rps: r.rps, p50: r.p50Ms, p99: r.p99Ms, errors: r.errors + r.non2xx });

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
export const pinSelf = (cpus: string) => exec('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]);
/** Every CPU again, after {@link pinSelf}. */
export const unpinSelf = () => pinSelf(`0-${os.cpus().length - 1}`);

/**
 * A new database on the shared PostgreSQL, migrated by the image's own
 * command, for `fn`; dropped afterwards, whatever happened.
 */
export async function withMigratedDatabase<T>(
  scope: RunScope, label: string, migrate: readonly string[], env: Readonly<Record<string, string>>, fn: (url: string) => Promise<T>,
): Promise<T> {
  const db = `bench_${newRunId().replace(/-/g, '_')}`;
  const url = `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${db}`;
  await admin(`CREATE DATABASE ${db}`);
  try {
    const m = await scope.run({ name: 'migrate', entrypoint: [migrate[0]], cmd: migrate.slice(1), env: { ...env, DATABASE_URL: url }, network: 'reachable' });
    if (m.exitCode !== 0) throw new Error(`${label}: ${migrate.join(' ')} exited ${m.exitCode}`);
    return await fn(url);
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

async function once(engine: Engine, server: Server, migrate: readonly string[], p: LoadParams, run: MixedLoad): Promise<LoadRun> {
  const scope = new RunScope(engine, newRunId(), server.image);
  return withMigratedDatabase(scope, server.party.label, migrate, server.request.env ?? {}, async (url) => {
    const env = { ...server.request.env, DATABASE_URL: url };
    const c = await startTimed(scope, { ...server.request, name: 'mixed', env, hostConfig: { CpusetCpus: p.serverCpus } }, p.path, server.port);
    try {
      await pinSelf(p.loadCpus);
      return toLoadRun(await run({ baseUrl: new URL(c.url).origin, connections: p.connections, durationS: p.durationS }));
    } finally {
      await unpinSelf();
      await stopTimed(c.container).catch(() => undefined);
    }
  });
}

export async function measureMixed(
  engine: Engine, subject: Server, anchor: Server, migrate: readonly string[], p: LoadParams, log: (m: string) => void,
): Promise<Section> {
  const run = mixedLoad;
  const acc = new Map<Server, LoadRun[]>([[subject, []], [anchor, []]]);
  for (let i = 0; i < p.runs; i++) {
    for (const server of i % 2 ? [anchor, subject] : [subject, anchor]) {
      const r = await retrying(engine, `mixed ${server.party.label}`, () => once(engine, server, migrate, p, run), log);
      acc.get(server)!.push(r);
      log(`mixed ${server.party.label} #${i + 1}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`);
    }
  }
  const section = loadSection(acc.get(subject)!, acc.get(anchor)!);
  const rows = { ...section, rows: section.rows.map((r) => (r.metric === 'requests/s' ? { ...r, target: { ratioMin: MIXED_RATIO_MIN, source: 'bench/targets.ts MIXED_RATIO_MIN' } } : r)) };
  return {
    ...rows,
    method: `Each run: a throwaway database, the image's own migration, then bench/mixed-load.ts (POST, GET by id, list page) in the bench process pinned to the load CPUs. ${rows.method}`,
    title: 'Mixed load with PostgreSQL',
    subject: subject.party,
    anchor: anchor.party,
    params: { ...p, database: `${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}, a new database per run` },
  };
}
