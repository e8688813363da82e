/**
 * /health throughput with autocannon (programmatic API) against containers
 * on the host network: loopback only, bounded in time.
 */
// bench/ is dev-time tooling like projenrc/: its dependencies are devDependencies.
import autocannon from 'autocannon';
import { removeContainer } from './exec';
import { RunDef, startContainer, stopContainer } from './measure-startstop';
import { summarize } from './stats';
import type { ThroughputResult, ThroughputRun } from './types';

export interface LoadOptions {
  readonly connections: number;
  readonly durationSec: number;
  readonly warmupSec: number;
}

function cannon(url: string, connections: number, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, timeout: 10 }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** The figures kept from one autocannon result. Pure. */
export function toRun(r: autocannon.Result): ThroughputRun {
  return {
    reqPerSec: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    timeouts: r.timeouts,
    total: r.requests.total,
  };
}

export async function loadOnce(def: RunDef, healthPath: string, opts: LoadOptions): Promise<ThroughputRun> {
  let name: string | undefined;
  try {
    const c = await startContainer(def, healthPath);
    name = c.name;
    const url = `http://127.0.0.1:${c.port}${healthPath}`;
    if (opts.warmupSec > 0) await cannon(url, opts.connections, opts.warmupSec);
    const run = toRun(await cannon(url, opts.connections, opts.durationSec));
    await stopContainer(c.name);
    return run;
  } finally {
    if (name) await removeContainer(name);
  }
}

export async function measureThroughput(
  defs: readonly RunDef[],
  healthPath: string,
  runs: number,
  opts: LoadOptions,
  log: (msg: string) => void,
): Promise<Record<string, ThroughputResult>> {
  const acc = new Map<string, ThroughputRun[]>();
  for (const d of defs) acc.set(d.label, []);
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [...defs].reverse() : defs;
    for (const def of order) {
      const r = await loadOnce(def, healthPath, opts);
      acc.get(def.label)!.push(r);
      log(`throughput ${def.label} #${i + 1}: ${r.reqPerSec.toFixed(0)} req/s, p99 ${r.p99} ms, `
        + `errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`);
    }
  }
  const out: Record<string, ThroughputResult> = {};
  for (const [label, rs] of acc) {
    out[label] = {
      reqPerSec: summarize(rs.map((r) => r.reqPerSec)),
      p99: summarize(rs.map((r) => r.p99)),
      errors: rs.reduce((s, r) => s + r.errors + r.non2xx, 0),
      runs: rs,
    };
  }
  return out;
}
