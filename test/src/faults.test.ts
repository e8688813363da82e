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

  const timedHealth = async (): Promise<{ ms: number; response: TestResponse }> => {
    const started = Date.now();
    const response = await inject(app, { method: 'GET', url: '/health' });
    return { ms: Date.now() - started, response };
  };

  /** Polls until `path` answers 200; returns how long that took. */
  const msUntilOk = async (path: string, limitMs: number): Promise<number> => {
    const started = Date.now();
    while (Date.now() - started < limitMs) {
      const response = await inject(app, { method: 'GET', url: path });
      if (response.statusCode === 200) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Infinity;
  };

  it.each([
    ['down, then back', (p: FaultProxy) => p.down(), (p: FaultProxy) => p.resume(), 'refused'],
    ['blackhole, then back', (p: FaultProxy) => p.blackhole(), (p: FaultProxy) => p.resume(), 'timeout'],
    // The 4-minute 503s: after the outage the held connections never come back, new ones work.
    ['blackhole, then back with old connections dead', (p: FaultProxy) => p.blackhole(), (p: FaultProxy) => p.severExisting(), 'timeout'],
  ] as const)('%s: /health answers 503 within 1 s, then 200 within 2 s of recovery', async (_name, fault, recover, reason) => {
    await fault(proxy);
    const { ms, response } = await timedHealth();
    expect(response.statusCode).toBe(503);
    expect(ms).toBeLessThan(1000);
    expect(response.json()).toMatchObject({ status: 'degraded', checks: { db: 'unavailable' }, errors: { db: reason } });

    // Requests during the fault end with a 503 in bounded time, whichever connection they get.
    const during = await Promise.all([1, 2, 3].map(async () => {
      const started = Date.now();
      const answer = await inject(app, { method: 'GET', url: '/api/v1/courses' });
      return { status: answer.statusCode, ms: Date.now() - started, retryAfter: answer.headers['retry-after'] };
    }));
    for (const answer of during) {
      expect(answer).toEqual({ status: 503, ms: expect.any(Number), retryAfter: expect.stringMatching(/^\d+$/) });
      expect(answer.ms).toBeLessThan(3000);
    }

    await recover(proxy);
    expect(await msUntilOk('/health', 2000)).toBeLessThan(2000);
    // Pooled connections that died silently are found out by their query timeout and replaced, not kept.
    expect(await msUntilOk('/api/v1/courses', 5000)).toBeLessThan(5000);
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
    expect(answeredMs).toBeLessThan(3000);

    // The held statements now reach PostgreSQL, late.
    await proxy.resume();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rows = await queryOnce<{ n: number }>(throwaway.url, `SELECT count(*)::int AS n FROM courses WHERE title = '${title}'`);
    expect(rows[0].n).toBe(0);
  });
});
