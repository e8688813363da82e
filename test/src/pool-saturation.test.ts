import type { FastifyInstance } from 'fastify';
import { Client } from 'pg';
import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';
import { until } from './support/until';
import { mixedLoad } from '../../bench/mixed-load';
import { buildApp } from '../../src/app';
import type { DatabaseConfig } from '../../src/config';
import { createDatabase, type Database } from '../../src/database';

// A busy pool against a healthy database is load, not an outage.
describe('a saturated pool', () => {
  let throwaway: ThrowawayDatabase;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase();
    expect((await runMigrate(['up'], { DATABASE_URL: throwaway.url })).code).toBe(0);
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  afterAll(async () => {
    await throwaway?.drop();
  });

  const pooled = (poolMax: number, database: Partial<DatabaseConfig> = {}): Database => {
    const db = createDatabase(throwaway.url, { ...testConfig().database, poolMax, ...database }, () => undefined);
    closers.push(() => db.close());
    return db;
  };
  const app = (poolMax: number, database: Partial<DatabaseConfig> = {}): { server: FastifyInstance; db: Database } => {
    const config = testConfig({ database: { ...testConfig().database, poolMax, ...database } });
    const db = createDatabase(throwaway.url, config.database, () => undefined);
    const server = buildApp({ config, prompts: repoPrompts(), db, version: '0.0.0', logger: false });
    closers.push(() => server.close());
    return { server, db };
  };

  it('lets a query wait for a busy connection past the connect timeout, within the wait budget, instead of failing', async () => {
    // The hold outlasts the connect timeout twice over; the wait budget and statement timeout outlast the hold as much.
    const { connectTimeoutMs } = testConfig().database;
    const holdMs = 2 * connectTimeoutMs;
    const db = pooled(1, { acquireTimeoutMs: 2 * holdMs, statementTimeoutMs: 2 * holdMs });
    const holding = db.query(`SELECT pg_sleep(${holdMs / 1000})`);
    const waiting = db.query('SELECT 1 AS one');
    // The only connection is taken: the second query queues for it.
    expect(db.poolStats()).toMatchObject({ total: 1, waiting: 1 });
    await expect(waiting).resolves.toEqual([{ one: 1 }]);
    await holding;
  });

  it('answers /health without queueing behind the requests holding every pooled connection', async () => {
    // Generous timeouts, so that neither side gives up first on a loaded machine.
    const timeouts = { statementTimeoutMs: 5000, probeTimeoutMs: 2000, acquireTimeoutMs: 5000 };
    const { server, db } = app(1, timeouts);
    // Another session locks the table: the app's queries wait on it, holding its only pooled connection.
    const locker = new Client({ connectionString: throwaway.url });
    await locker.connect();
    closers.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE courses IN ACCESS EXCLUSIVE MODE');
    let settled = 0;
    const waiting = [1, 2].map(() => inject(server, { method: 'GET', url: '/api/v1/courses' }).finally(() => { settled++; }));
    // One request holds the only connection, the other queues for it (and would give up past the wait budget).
    await until(() => db.poolStats().waiting === 1, timeouts.acquireTimeoutMs, 'a request queued for the pool');

    const response = await inject(server, { method: 'GET', url: '/health' });
    // Had the probe queued for a pooled connection, it could only have answered after these.
    const settledBeforeHealth = settled;
    await locker.query('ROLLBACK');
    expect(response.statusCode).toBe(200);
    expect(settledBeforeHealth).toBe(0);
    // The queued requests were only delayed.
    expect((await Promise.all(waiting)).map((r) => r.statusCode)).toEqual([200, 200]);
  });

  it('gives no 503 under 50 connections of mixed load against a healthy database', async () => {
    await queryOnce(throwaway.url, "INSERT INTO courses (title) SELECT 'seed ' || n FROM generate_series(1, 5000) AS n");
    // The production pool size: 5 connections per worker.
    const { server } = app(5);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as { port: number };
    const result = await mixedLoad({ baseUrl: `http://127.0.0.1:${port}`, connections: 50, durationS: 3 });
    process.stdout.write(`mixed load, 50 connections, 3 s, pool of 5: ${JSON.stringify(result)}\n`);
    expect(result.requests).toBeGreaterThan(100);
    expect(result).toMatchObject({ errors: 0, non2xx: 0 });
  });
});
