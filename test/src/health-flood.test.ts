import autocannon from 'autocannon';
import { Client } from 'pg';
import { compileEntry, type Service, startService, workersListening } from './support/service';
import { createThrowawayDatabase, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';
import { loadConfig } from '../../src/config';

// The measurement, as a test: a flood of /health through the real server (2 workers, the
// production pool size) against the real PostgreSQL, counting the server's own backends.
describe('a flood of /health', () => {
  const workers = 2;
  const { database, healthPath } = loadConfig({});
  // Names the server's connections in pg_stat_activity, so only they are counted.
  const applicationName = `flood_${process.pid}`;
  let throwaway: ThrowawayDatabase;
  let service: Service | undefined;

  beforeAll(async () => {
    compileEntry();
    throwaway = await createThrowawayDatabase();
    expect((await runMigrate(['up'], { DATABASE_URL: throwaway.url })).code).toBe(0);
  });
  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await throwaway?.drop();
  });

  it('holds at most workers × (pool size + 1) connections, answers no 503, and loses no write', async () => {
    const url = new URL(throwaway.url);
    url.searchParams.set('application_name', applicationName);
    service = await startService({ DATABASE_URL: url.toString(), WEB_CONCURRENCY: String(workers) });
    await workersListening(service, workers);
    const baseUrl = `http://127.0.0.1:${service.port}`;

    const monitor = new Client({ connectionString: throwaway.url });
    await monitor.connect();
    let sampling = true;
    let maxBackends = 0;
    const backendStarts = new Set<string>();
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await monitor.query<{ started: string }>(
          'SELECT backend_start::text AS started FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
        maxBackends = Math.max(maxBackends, rows.length);
        for (const row of rows) backendStarts.add(row.started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // The 10 s: the old per-request probe exhausted PostgreSQL within the first second, and the
    // bound holds at every instant, so the duration only adds samples; kept at the figure.
    const durationS = 10;
    let writing = true;
    const writes: (number | string)[] = [];
    const writer = async (n: number): Promise<void> => {
      for (let i = 0; writing; i++) {
        const answer = await fetch(`${baseUrl}/api/v1/courses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: `written during the flood ${n}.${i}` }),
        }).then((r) => r.status, (err: Error) => err.message);
        writes.push(answer);
      }
    };
    // The first half floods alone, so only probes can answer it (successful pooled queries would make
    // probes needless); the second half writes beside the flood.
    const writers = new Promise((resolve) => setTimeout(resolve, (durationS * 1000) / 2)).then(() => Promise.all([1, 2, 3, 4].map(writer)));
    const flood = await autocannon({ url: `${baseUrl}${healthPath}`, connections: 300, duration: durationS, timeout: 10 });
    writing = false;
    await writers;
    sampling = false;
    await sampler;
    await monitor.end();

    // What the server said about any failure: the reason behind a 503 is on its log line.
    const failures = service.lines.filter((l) => l.msg === 'request failed')
      .map((l) => `${String(l.statusCode)} ${String((l.err as { message?: string } | undefined)?.message).slice(0, 80)}`);
    const report = {
      requests: flood.requests.total,
      statusCodes: flood.statusCodeStats,
      failures: [...new Set(failures)].slice(0, 5),
      errors: flood.errors,
      timeouts: flood.timeouts,
      maxBackends,
      backendsOpened: backendStarts.size,
      writes: writes.length,
    };
    process.stdout.write(`/health flood, ${workers} workers, 300 clients, ${durationS} s: ${JSON.stringify(report)}\n`);
    expect(flood.requests.total).toBeGreaterThan(1000);
    expect({ non2xx: flood.non2xx, errors: flood.errors, timeouts: flood.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    expect(maxBackends).toBeGreaterThan(0);
    expect(maxBackends).toBeLessThanOrEqual(workers * (database.poolMax + 1));
    // One probe connection per worker per window, at most, plus the pools: far fewer than one per request.
    expect(backendStarts.size).toBeLessThanOrEqual(workers * (Math.ceil((durationS * 1000) / database.probeWindowMs) + 1 + database.poolMax));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((status) => status !== 201)).toEqual([]);
  });
});
