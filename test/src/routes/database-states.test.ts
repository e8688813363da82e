import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app';
import { createDatabase } from '../../../src/database';
import { inject } from '../support/http';
import { repoPrompts, testConfig } from '../support/test-config';
import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from '../support/throwaway-database';

// Known database states, reached for real: routes and /health must agree on each.
describe('known database states', () => {
  let throwaway: ThrowawayDatabase;
  // A role that may never connect: PostgreSQL answers 53300 "too many connections".
  const limitedRole = `course_test_limited_${randomBytes(4).toString('hex')}`;
  const apps: FastifyInstance[] = [];
  const config = testConfig();

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase();
    expect((await runMigrate(['up'], { DATABASE_URL: throwaway.url })).code).toBe(0);
    await queryOnce(throwaway.url, `CREATE ROLE ${limitedRole} LOGIN CONNECTION LIMIT 0`);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await throwaway?.drop();
    await queryOnce(throwaway.url.replace(/\/[^/]*$/, '/postgres'), `DROP ROLE IF EXISTS ${limitedRole}`);
  });

  const appFor = (url: string): FastifyInstance => {
    const app = buildApp({ config, prompts: repoPrompts(), db: createDatabase(url, config.database, () => undefined), version: '0.0.0', logger: false });
    apps.push(app);
    return app;
  };
  const withUrl = (change: (url: URL) => void): string => {
    const url = new URL(throwaway.url);
    change(url);
    return url.toString();
  };

  it('refuses a NUL character as 400 naming the field, before any query', async () => {
    const app = appFor(throwaway.url);
    for (const [payload, field] of [[{ title: 'a\u0000b' }, 'title'], [{ title: 'ok', description: 'x\u0000' }, 'description']] as const) {
      const response = await inject(app, { method: 'POST', url: '/api/v1/courses', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Bad Request', message: expect.stringMatching(new RegExp(`^${field}: .*NUL`)), field });
    }
  });

  it.each([
    ['too many connections (53300)', () => withUrl((u) => { u.username = limitedRole; }), 'too-many-connections'],
    ['a missing role (28000)', () => withUrl((u) => { u.username = 'no_such_role_here'; }), 'auth'],
    ['a missing database (3D000)', () => withUrl((u) => { u.pathname = '/no_such_database_here'; }), 'database-missing'],
    ['a TLS requirement the server cannot meet', () => withUrl((u) => { u.searchParams.set('sslmode', 'require'); }), 'tls'],
  ])('%s: routes answer 503 with Retry-After and /health says why', async (_state, url, reason) => {
    const app = appFor(url());
    for (const request of [
      { method: 'GET' as const, url: '/api/v1/courses' },
      { method: 'POST' as const, url: '/api/v1/courses', payload: { title: 'x' } },
    ]) {
      const response = await inject(app, request);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
      expect(response.json()).toEqual({ error: 'Service Unavailable', message: 'database unavailable' });
    }
    const health = await inject(app, { method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ checks: { db: 'unavailable' }, errors: { db: reason } });
    // Names stay in the log: none in the body.
    expect(health.body).not.toMatch(/127\.0\.0\.1|5432|postgres|course_test|no_such/);
  });
});
