import type { FastifyInstance } from 'fastify';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy';
import { inject, type TestResponse } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';
import { buildApp } from '../../src/app';
import { createDatabase } from '../../src/database';

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

  // Bounds from the configuration: a verdict is reused for probeWindowMs, and a probe gives up after
  // probeTimeoutMs; a busy machine may add scheduling delay, never a second window.
  const { probeTimeoutMs, probeWindowMs, statementTimeoutMs, acquireTimeoutMs } = config.database;
  const slackMs = 1000;

  /** Polls `path` until it answers `status`; returns that answer and how long it took to come. */
  const until = async (path: string, status: number, limitMs: number): Promise<{ ms: number; response: TestResponse }> => {
    const started = Date.now();
    for (;;) {
      const response = await inject(app, { method: 'GET', url: path });
      const ms = Date.now() - started;
      if (response.statusCode === status || ms > limitMs) return { ms, response };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it.each([
    ['down, then back', (p: FaultProxy) => p.down(), (p: FaultProxy) => p.resume(), 'refused'],
    ['blackhole, then back', (p: FaultProxy) => p.blackhole(), (p: FaultProxy) => p.resume(), 'timeout'],
    // The 4-minute 503s: after the outage the held connections never come back, new ones work.
    ['blackhole, then back with old connections dead', (p: FaultProxy) => p.blackhole(), (p: FaultProxy) => p.severExisting(), 'timeout'],
  ] as const)('%s: /health turns 503 within a window and a probe timeout, then 200 within a window of recovery', async (_name, fault, recover, reason) => {
    await fault(proxy);
    const outage = await until('/health', 503, probeWindowMs + probeTimeoutMs + slackMs);
    process.stdout.write(`${_name}: 503 after ${outage.ms} ms\n`);
    expect(outage.response.statusCode).toBe(503);
    expect(outage.ms).toBeLessThanOrEqual(probeWindowMs + probeTimeoutMs + slackMs);
    expect(outage.response.json()).toMatchObject({ status: 'degraded', checks: { db: 'unavailable' }, errors: { db: reason } });

    // Requests during the fault end with a 503 in bounded time, whichever connection they get:
    // a pooled connection's statement gives up after statement_timeout and its grace, a new one after the wait budget.
    const requestBoundMs = Math.max(statementTimeoutMs + 500, acquireTimeoutMs) + slackMs;
    const during = await Promise.all([1, 2, 3].map(async () => {
      const started = Date.now();
      const answer = await inject(app, { method: 'GET', url: '/api/v1/courses' });
      return { status: answer.statusCode, ms: Date.now() - started, retryAfter: answer.headers['retry-after'] };
    }));
    for (const answer of during) {
      expect(answer).toEqual({ status: 503, ms: expect.any(Number), retryAfter: expect.stringMatching(/^\d+$/) });
      expect(answer.ms).toBeLessThan(requestBoundMs);
    }

    await recover(proxy);
    const back = await until('/health', 200, probeWindowMs + probeTimeoutMs + slackMs);
    process.stdout.write(`${_name}: 200 again after ${back.ms} ms\n`);
    expect(back.response.statusCode).toBe(200);
    // Pooled connections that died silently are found out by their query timeout and replaced, not kept.
    expect((await until('/api/v1/courses', 200, 2 * requestBoundMs + slackMs)).response.statusCode).toBe(200);
  });

  it('never commits a write whose client got an error or a timeout', async () => {
    proxy.blackhole();
    const title = `written during a blackhole ${Date.now()}`;
    const started = Date.now();
    let status: number | string;
    try {
      // A client that gives up after 4 s, as a load balancer would.
      const response = await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1/courses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title }),
        signal: AbortSignal.timeout(4000),
      });
      status = response.status;
    } catch (err) {
      status = (err as Error).name;
    }
    const answeredMs = Date.now() - started;
    expect(status).toBe(503);
    expect(answeredMs).toBeLessThan(Math.max(statementTimeoutMs + 500, acquireTimeoutMs) + slackMs);

    // The held statements now reach PostgreSQL, late, and so does the goodbye of the connection the
    // pool discarded: once PostgreSQL closed it, it has rolled back what that connection left open.
    await proxy.resume();
    await proxy.settled();
    const rows = await queryOnce<{ n: number }>(throwaway.url, `SELECT count(*)::int AS n FROM courses WHERE title = '${title}'`);
    expect(rows[0].n).toBe(0);
  });
});
