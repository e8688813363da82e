import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app';
import { createDatabase, type Database } from '../../../src/database';
import { inject } from '../support/http';
import { repoPrompts, testConfig } from '../support/test-config';
import { createThrowawayDatabase, runMigrate, UNREACHABLE_DATABASE_URL, type ThrowawayDatabase } from '../support/throwaway-database';

// Integration: the real routes against a migrated throwaway PostgreSQL database.
describe('courses over PostgreSQL', () => {
  let throwaway: ThrowawayDatabase;
  let app: FastifyInstance;
  const config = testConfig();

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase();
    const migrated = await runMigrate(['up'], { DATABASE_URL: throwaway.url });
    expect(migrated.code).toBe(0);
    const db = createDatabase(throwaway.url, config.database, () => undefined);
    app = buildApp({ config, prompts: repoPrompts(), db, version: '0.0.0', logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await throwaway?.drop();
  });

  it('creates, lists and gets courses', async () => {
    const created = await inject(app, { method: 'POST', url: '/api/v1/courses', payload: { title: '  Databases 101 ', description: 'Relational basics' } });
    expect(created.statusCode).toBe(201);
    const course = created.json();
    expect(course).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), title: 'Databases 101', description: 'Relational basics', created_at: expect.any(String) });
    expect(Number.isNaN(Date.parse(course.created_at))).toBe(false);

    const second = await inject(app, { method: 'POST', url: '/api/v1/courses', payload: { title: 'No description' } });
    expect(second.statusCode).toBe(201);
    expect(second.json().description).toBeNull();

    const list = await inject(app, { method: 'GET', url: '/api/v1/courses' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [course, second.json()], next_cursor: null });

    const one = await inject(app, { method: 'GET', url: `/api/v1/courses/${course.id}` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(course);
  });

  it('answers an unknown id with a JSON 404', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const response = await inject(app, { method: 'GET', url: `/api/v1/courses/${id}` });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: `course ${id} not found` });
  });

  it('answers an invalid body with a JSON 400 naming the field', async () => {
    const response = await inject(app, { method: 'POST', url: '/api/v1/courses', payload: { description: 'no title' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message: expect.stringMatching(/^title: /), field: 'title' });
  });

  it('reports health ok with db "ok"', async () => {
    const response = await inject(app, { method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', checks: { db: 'ok' } });
  });
});

describe('with an unreachable DATABASE_URL', () => {
  let app: FastifyInstance;
  let db: Database;
  beforeAll(() => {
    const config = testConfig();
    db = createDatabase(UNREACHABLE_DATABASE_URL, config.database, () => undefined);
    app = buildApp({ config, prompts: repoPrompts(), db, version: '0.0.0', logger: false });
  });
  afterAll(() => app?.close());

  it('reports health degraded (503) at once, naming the reason: refused, not a probe timeout', async () => {
    const response = await inject(app, { method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'degraded', checks: { db: 'unavailable' }, errors: { db: 'refused' } });
  });

  it('answers course routes with 503 "database unavailable"', async () => {
    const response = await inject(app, { method: 'GET', url: '/api/v1/courses' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'Service Unavailable', message: 'database unavailable' });
  });
});
