/**
 * The running image: `docker run` → first 200, `docker stop` and its exit
 * code, and fair throughput (server and load generator on separate CPUs),
 * each beside an anchor run the same way.
 */
import { newRunId, retrying, RunScope, startTimed, stopTimed, type ContainerRequest, type Engine } from './engine';
import { exec } from './exec';
import { summarize } from './stats';
import { LOAD_ERRORS_MAX } from './targets';
import type { Party, Row, Section, Target } from './types';

/** A server under test: an image and how to start it. */
export interface Server {
  readonly party: Party;
  readonly image: string;
  /** The port it listens on unless PORT says otherwise (published engines keep it). */
  readonly port: number;
  readonly request: Omit<ContainerRequest, 'network' | 'name' | 'listen'>;
}

export interface StartStop { readonly start: number[]; readonly stop: number[]; readonly codes: number[] }

/** Start and stop every server `runs` times, interleaved, rotating the order each run. */
export async function measureStartStop(
  engine: Engine, servers: readonly Server[], path: string, runs: number, log: (m: string) => void,
): Promise<Map<Server, StartStop>> {
  const acc = new Map(servers.map((s) => [s, { start: [] as number[], stop: [] as number[], codes: [] as number[] }]));
  for (let i = 0; i < runs; i++) {
    for (const server of [...servers.slice(i % servers.length), ...servers.slice(0, i % servers.length)]) {
      const scope = new RunScope(engine, newRunId(), server.image);
      const r = await retrying(engine, `start ${server.party.label}`, async () => {
        const c = await startTimed(scope, { name: 'start', ...server.request }, path, server.port);
        return { ...c, ...(await stopTimed(c.container)) };
      }, log);
      acc.get(server)!.start.push(r.startMs);
      acc.get(server)!.stop.push(r.stopMs);
      acc.get(server)!.codes.push(r.exitCode);
      log(`start/stop ${server.party.label} #${i + 1}: first 200 after ${r.startMs.toFixed(0)} ms, stop ${r.stopMs.toFixed(0)} ms, exit ${r.exitCode}`);
    }
  }
  return acc;
}

export function startStopSection(
  subject: [Server, StartStop], anchor: [Server, StartStop], path: string, stop: Target, headline: 'start' | 'stop', startTarget?: Target,
): Section {
  const [s, a] = [subject[1], anchor[1]];
  const rows: Row[] = [
    {
      metric: `\`docker run\` → first 200 on ${path}`,
      unit: 'ms',
      subject: summarize(s.start),
      anchor: summarize(a.start),
      ...(headline === 'start' ? { headline: true } : {}),
      ...(startTarget ? { target: startTarget } : {}),
    },
    { metric: '`docker stop`', unit: 'ms', subject: summarize(s.stop), anchor: summarize(a.stop), target: stop, headline: headline === 'stop' || undefined },
    { metric: 'exit code after `docker stop`', unit: 'code', subject: summarize(s.codes), anchor: summarize(a.codes), target: { equals: 0, source: stop.source } },
  ];
  return {
    title: `Start and stop, beside ${anchor[0].party.label}`,
    subject: subject[0].party,
    anchor: anchor[0].party,
    params: { runs: s.start.length, path },
    method: 'Wall time from creating the container (host network, a free port in PORT) to the first 200, polled over loopback; then `docker stop` with the engine\'s default grace period. The order rotates run to run.',
    rows,
  };
}

export interface LoadParams {
  readonly path: string;
  readonly connections: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly runs: number;
  readonly serverCpus: string;
  readonly loadCpus: string;
}

export interface LoadRun { readonly rps: number; readonly p50: number; readonly p99: number; readonly errors: number }

/** The figures kept from autocannon's `--json` result. Pure. */
export function parseAutocannon(json: string): LoadRun {
  const r = JSON.parse(json.trim().split('\n').pop() ?? '{}') as {
    requests: { average: number }; latency: { p50: number; p99: number }; errors: number; timeouts: number; non2xx: number;
  };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

/** autocannon's CLI pinned with taskset, so the load generator never shares the server's CPU. */
async function autocannon(url: string, p: LoadParams, durationS: number): Promise<LoadRun> {
  const bin = require.resolve('autocannon/autocannon.js');
  const r = await exec('taskset', ['-c', p.loadCpus, process.execPath, bin, '-j', '-c', String(p.connections), '-d', String(durationS), url], {
    timeoutMs: (durationS + 60) * 1000,
  });
  return parseAutocannon(r.stdout);
}

async function loadOnce(engine: Engine, server: Server, p: LoadParams): Promise<LoadRun> {
  const scope = new RunScope(engine, newRunId(), server.image);
  const req = { name: 'load', ...server.request, hostConfig: { ...server.request.hostConfig, CpusetCpus: p.serverCpus } };
  const c = await startTimed(scope, req, p.path, server.port);
  try {
    if (p.warmupS > 0) await autocannon(c.url, p, p.warmupS);
    return await autocannon(c.url, p, p.durationS);
  } finally {
    await stopTimed(c.container).catch(() => undefined);
  }
}

/** GET `path` under load, subject and anchor alternating, `runs` each. */
export async function measureThroughput(
  engine: Engine, subject: Server, anchor: Server, p: LoadParams, target: Target, log: (m: string) => void,
): Promise<Section> {
  const acc = new Map<Server, LoadRun[]>([[subject, []], [anchor, []]]);
  for (let i = 0; i < p.runs; i++) {
    for (const server of i % 2 ? [anchor, subject] : [subject, anchor]) {
      const r = await retrying(engine, `load ${server.party.label}`, () => loadOnce(engine, server, p), log);
      acc.get(server)!.push(r);
      log(`load ${server.party.label} #${i + 1}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`);
    }
  }
  const section = loadSection(acc.get(subject)!, acc.get(anchor)!);
  const rows = section.rows.map((r) => (r.metric === 'requests/s' ? { ...r, target } : r));
  return { ...section, rows, title: `GET ${p.path} under load`, subject: subject.party, anchor: anchor.party, params: { ...p } };
}

/** Rows of a load comparison (also the mixed load's). */
export function loadSection(s: readonly LoadRun[], a: readonly LoadRun[]): Pick<Section, 'rows' | 'method'> {
  const col = (runs: readonly LoadRun[], k: keyof LoadRun) => summarize(runs.map((r) => r[k]));
  return {
    method: 'autocannon\'s CLI pinned to the load CPUs with taskset, the server\'s container to the server CPUs (`--cpuset-cpus`), host network, after a warm-up; subject and anchor alternate run to run.',
    rows: [
      { metric: 'requests/s', unit: 'req/s', subject: col(s, 'rps'), anchor: col(a, 'rps'), headline: true },
      { metric: 'p50 latency', unit: 'ms', subject: col(s, 'p50'), anchor: col(a, 'p50') },
      { metric: 'p99 latency', unit: 'ms', subject: col(s, 'p99'), anchor: col(a, 'p99') },
      {
        metric: 'errors + timeouts + non-2xx',
        unit: 'count',
        subject: col(s, 'errors'),
        anchor: col(a, 'errors'),
        target: { max: LOAD_ERRORS_MAX, source: 'bench/targets.ts LOAD_ERRORS_MAX' },
      },
    ],
  };
}
