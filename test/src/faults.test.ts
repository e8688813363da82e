import type { FastifyInstance } from 'fastify';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy';
import { inject, type TestRequest, type TestResponse } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';
import { generous } from './support/until';
import { buildApp } from '../../src/app';
import { createDatabase, networkGraceMs } from '../../src/database';

// The real app and pool, with a fault-injecting proxy between them and PostgreSQL.
describe('database faults', () => {
  let throwaway: ThrowawayDatabase;
  let proxy: FaultProxy;
  let app: FastifyInstance;
  const config = testConfig();

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase();
    expect((await runMigrate(['up'], { DATABASE_URL: throwaway.url })).code).toBe(0);
  });
  beforeEach(async () => {
    const target = new URL(throwaway.url);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port) });
    const db = createDatabase(proxy.urlFor(throwaway.url), config.database, () => undefined);
    app = buildApp({ config, prompts: repoPrompts(), db, version: '0.0.0', logger: false });
    // Warm: the pool holds open connections, which the faults then hit.
    await Promise.all([1, 2].map((n) => inject(app, { method: 'POST', url: '/api/v1/courses', payload: { title: `warm ${n}` } })));
    expect((await inject(app, { method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
  afterEach(async () => {
    await proxy.resume();
    await app.close();
    await proxy.close();
  });
  afterAll(async () => {
    await throwaway?.drop();
  });

  // Bounds from the configuration: a verdict is reused for probeWindowMs and a probe gives up after
  // probeTimeoutMs; a request during a fault ends with a 503 whichever connection it gets: a pooled
  // connection's statement gives up after statement_timeout and the pool's grace, a new
  // one after the wait budget.
  const { probeTimeoutMs, probeWindowMs, statementTimeoutMs, acquireTimeoutMs } = config.database;
  const verdictWithinMs = generous(probeWindowMs + probeTimeoutMs);
  const answerWithinMs = generous(Math.max(statementTimeoutMs + networkGraceMs, acquireTimeoutMs));

  /** Polls `path` until it answers `status`, for at most `limitMs`; returns the last answer and how long it took to come. */
  const untilAnswered = async (path: string, status: number, limitMs: number): Promise<{ ms: number; response: TestResponse }> => {
    const started = Date.now();
    for (;;) {
      const response = await inject(app, { method: 'GET', url: path });
      const ms = Date.now() - started;
      if (response.statusCode === status || ms > limitMs) return { ms, response };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Sends a request whose client gives up after `answerWithinMs`; its status, or the name of the client's failure. */
  const statusOf = async (request: TestRequest): Promise<{ status: number | string; retryAfter?: string }> => {
    try {
      const response = await inject(app, { ...request, timeoutMs: answerWithinMs });
      return { status: response.statusCode, retryAfter: response.headers['retry-after'] };
    } catch (err) {
      return { status: (err as Error).name };
    }
  };

  it.each([
    ['down, then back', (p: FaultProxy) => p.down(), (p: FaultProxy) => p.resume(), 'refused'],
    ['blackhole, then back', (p: FaultProxy) => p.blackhole(), (p: FaultProxy) => p.resume(), 'timeout'],
    // The 4-minute 503s: after the outage the held connections never come back, new ones work.
    ['blackhole, then back with old connections dead', (p: FaultProxy) => p.blackhole(), (p: FaultProxy) => p.severExisting(), 'timeout'],
  ] as const)('%s: /health turns 503 within a window and a probe timeout, then 200 within a window of recovery', async (_name, fault, recover, reason) => {
    await fault(proxy);
    const outage = await untilAnswered('/health', 503, verdictWithinMs);
    process.stdout.write(`${_name}: 503 after ${outage.ms} ms\n`);
    expect(outage.response.statusCode).toBe(503);
    expect(outage.response.json()).toMatchObject({ status: 'degraded', checks: { db: 'unavailable' }, errors: { db: reason } });

    // Requests during the fault end with a 503 while their client still waits.
    const during = await Promise.all([1, 2, 3].map(() => statusOf({ method: 'GET', url: '/api/v1/courses' })));
    expect(during).toEqual(Array(3).fill({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) }));

    await recover(proxy);
    const back = await untilAnswered('/health', 200, verdictWithinMs);
    process.stdout.write(`${_name}: 200 again after ${back.ms} ms\n`);
    expect(back.response.statusCode).toBe(200);
    // Pooled connections that died silently are found out by their query timeout and replaced, not kept.
    expect((await untilAnswered('/api/v1/courses', 200, 2 * answerWithinMs)).response.statusCode).toBe(200);
  });

  it('never commits a write whose client got an error or a timeout', async () => {
    proxy.blackhole();
    const title = `written during a blackhole ${Date.now()}`;
    expect(await statusOf({ method: 'POST', url: '/api/v1/courses', payload: { title } })).toMatchObject({ status: 503 });

    // The held statements now reach PostgreSQL, late, and so does the goodbye of the connection the
    // pool discarded: once PostgreSQL closed it, it has rolled back what that connection left open.
    await proxy.resume();
    await proxy.settled();
    const rows = await queryOnce<{ n: number }>(throwaway.url, `SELECT count(*)::int AS n FROM courses WHERE title = '${title}'`);
    expect(rows[0].n).toBe(0);
  });
});
