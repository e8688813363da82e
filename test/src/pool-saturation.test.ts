import type { FastifyInstance } from 'fastify';
import { Client } from 'pg';
import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';
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

  const pooled = (poolMax: number): Database => {
    const db = createDatabase(throwaway.url, { ...testConfig().database, poolMax }, () => undefined);
    closers.push(() => db.close());
    return db;
  };
  const app = (poolMax: number, database: Partial<DatabaseConfig> = {}): FastifyInstance => {
    const config = testConfig({ database: { ...testConfig().database, poolMax, ...database } });
    const built = buildApp({ config, prompts: repoPrompts(), db: createDatabase(throwaway.url, config.database, () => undefined), version: '0.0.0', logger: false });
    closers.push(() => built.close());
    return built;
  };
  // Longer than the connect timeout (500 ms), shorter than the wait budget (1000 ms) and statement_timeout.
  const holdMs = 700;

  it('lets a query wait for a busy connection within the budget instead of failing', async () => {
    const db = pooled(1);
    const holding = db.query(`SELECT pg_sleep(${holdMs / 1000})`);
    const started = Date.now();
    await expect(db.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(holdMs - 100);
    await holding;
  });

  it('answers /health without queueing behind the requests holding every pooled connection', async () => {
    // Generous timeouts, so that neither side gives up first on a loaded machine.
    const server = app(1, { statementTimeoutMs: 5000, probeTimeoutMs: 2000 });
    // Another session locks the table: the app's queries wait on it, holding its only pooled connection.
    const locker = new Client({ connectionString: throwaway.url });
    await locker.connect();
    closers.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE courses IN ACCESS EXCLUSIVE MODE');
    let settled = 0;
    const waiting = [1, 2].map(() => inject(server, { method: 'GET', url: '/api/v1/courses' }).finally(() => { settled++; }));
    await new Promise((resolve) => setTimeout(resolve, 100));

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
    const server = app(5);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as { port: number };
    const result = await mixedLoad({ baseUrl: `http://127.0.0.1:${port}`, connections: 50, durationS: 3 });
    process.stdout.write(`mixed load, 50 connections, 3 s, pool of 5: ${JSON.stringify(result)}\n`);
    expect(result.requests).toBeGreaterThan(100);
    expect(result).toMatchObject({ errors: 0, non2xx: 0 });
  });
});
