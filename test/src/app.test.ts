import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { fakeDatabase } from './support/fake-database';
import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { buildApp as buildRealApp } from '../../src/app';

const prompts = repoPrompts();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** Every app is closed after its test, even a failing one, so Jest can exit. */
function buildApp(options: Parameters<typeof buildRealApp>[0]): FastifyInstance {
  const app = buildRealApp(options);
  apps.push(app);
  return app;
}

/** Collects the JSON log; `lines` returns the request lines (startup lines carry no reqId). */
function capturedLog(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => 'reqId' in l) };
}

describe('buildApp', () => {
  it('logs exactly one JSON line per request with method, url, statusCode and responseTime', async () => {
    const log = capturedLog();
    const app = buildApp({ config: testConfig(), prompts, version: '0.0.0', logger: { level: 'info', stream: log.stream } });
    await inject(app, { method: 'GET', url: '/api/v1/prompts' });
    await inject(app, { method: 'GET', url: '/nowhere' });
    await inject(app, { method: 'POST', url: '/api/v1/courses', payload: { title: 'x' } });
    const lines = log.lines();
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => [l.method, l.url, l.statusCode])).toEqual([
      ['GET', '/api/v1/prompts', 200],
      ['GET', '/nowhere', 404],
      ['POST', '/api/v1/courses', 503],
    ]);
    for (const line of lines) expect(typeof line.responseTime).toBe('number');
  });

  it('logs probes answered 2xx at debug only, and a failing probe at info', async () => {
    const info = capturedLog();
    const down = fakeDatabase({ probe: async () => { throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }); } });
    const quiet = buildApp({ config: testConfig(), prompts, version: '0.0.0', logger: { level: 'info', stream: info.stream } });
    await inject(quiet, { method: 'GET', url: '/health' });
    await inject(quiet, { method: 'GET', url: '/health/live' });
    expect(info.lines()).toEqual([]);

    const failing = buildApp({ config: testConfig(), prompts, db: down, version: '0.0.0', logger: { level: 'info', stream: info.stream } });
    await inject(failing, { method: 'GET', url: '/health' });
    expect(info.lines().map((l) => [l.url, l.statusCode])).toEqual([['/health', 503]]);

    const debug = capturedLog();
    const verbose = buildApp({ config: testConfig(), prompts, version: '0.0.0', logger: { level: 'debug', stream: debug.stream } });
    await inject(verbose, { method: 'GET', url: '/health' });
    expect(debug.lines().filter((l) => l.msg === 'request completed').map((l) => [l.url, l.statusCode])).toEqual([['/health', 200]]);
  });

  it('hides server errors from clients and logs the details on the request line', async () => {
    const log = capturedLog();
    const db = fakeDatabase({ query: async () => { throw new Error('relation "courses" does not exist'); } });
    const app = buildApp({ config: testConfig(), prompts, db, version: '0.0.0', logger: { level: 'info', stream: log.stream } });
    const response = await inject(app, { method: 'GET', url: '/api/v1/courses' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'Internal Server Error', message: 'An unexpected error occurred', requestId: expect.any(String) });
    expect(response.body).not.toContain('relation');
    const lines = log.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      statusCode: 500,
      msg: 'request failed',
      reqId: response.json().requestId,
      err: { message: 'relation "courses" does not exist' },
    });
  });

  it('answers 503 "database unavailable" when PostgreSQL cannot be reached', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const db = fakeDatabase({ query: async () => { throw refused; } });
    const app = buildApp({ config: testConfig(), prompts, db, version: '0.0.0', logger: false });
    const response = await inject(app, { method: 'GET', url: '/api/v1/courses' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'Service Unavailable', message: 'database unavailable' });
  });

  it.each([
    ['22021 invalid byte sequence', { code: '22021', severity: 'ERROR', message: 'invalid byte sequence for encoding "UTF8": 0x00' }, 400, undefined],
    ['23502 not null violation', { code: '23502', severity: 'ERROR', message: 'null value in column "title"', column: 'title' }, 400, undefined],
    ['22008 date/time out of range', { code: '22008', severity: 'ERROR', message: 'date/time field value out of range: "0000-01-01"' }, 400, undefined],
    ['53300 too many connections', { code: '53300', severity: 'FATAL', message: 'sorry, too many clients already' }, 503, '5'],
    ['57P01 admin shutdown', { code: '57P01', severity: 'FATAL', message: 'terminating connection due to administrator command' }, 503, '5'],
    ['08006 connection failure', { code: '08006', severity: 'FATAL', message: 'connection failure' }, 503, '5'],
    ['28P01 bad password', { code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "app"' }, 503, '5'],
    ['3D000 missing database', { code: '3D000', severity: 'FATAL', message: 'database "courses" does not exist' }, 503, '5'],
    ['a busy pool', { message: 'timeout exceeded when trying to connect' }, 503, '1'],
    ['42P01 undefined table', { code: '42P01', severity: 'ERROR', message: 'relation "courses" does not exist' }, 500, undefined],
  ])('maps a database error by its SQLSTATE class: %s', async (_name, fields, status, retryAfter) => {
    const log = capturedLog();
    const db = fakeDatabase({ query: async () => { throw Object.assign(new Error(fields.message), fields); } });
    const app = buildApp({ config: testConfig(), prompts, db, version: '0.0.0', logger: { level: 'info', stream: log.stream } });
    const response = await inject(app, { method: 'GET', url: '/api/v1/courses' });
    expect(response.statusCode).toBe(status);
    expect(response.headers['retry-after']).toBe(retryAfter);
    // The database's own words stay in the log: they can quote values, names and internals.
    expect(response.body).not.toContain(fields.message);
    expect(log.lines()).toEqual([expect.objectContaining({ statusCode: status, err: expect.objectContaining({ message: fields.message }) })]);
    if (status === 400) expect(response.json()).toMatchObject({ message: expect.stringMatching(/^invalid data: /) });
    if ('column' in fields) expect(response.json()).toMatchObject({ field: fields.column });
    if (status === 503) expect(response.json().message).toBe(retryAfter === '1' ? 'database busy' : 'database unavailable');
    if (status === 500) expect(response.json()).toEqual({ error: 'Internal Server Error', message: 'An unexpected error occurred', requestId: expect.any(String) });
  });

  it('answers course routes with a JSON 503 when no database is configured', async () => {
    const app = buildApp({ config: testConfig(), prompts, version: '0.0.0', logger: false });
    for (const request of [
      { method: 'GET' as const, url: '/api/v1/courses' },
      { method: 'GET' as const, url: '/api/v1/courses/00000000-0000-4000-8000-000000000000' },
      { method: 'POST' as const, url: '/api/v1/courses', payload: { title: 'x' } },
    ]) {
      const response = await inject(app, request);
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ error: 'Service Unavailable', message: 'database not configured' });
    }
  });

  it('answers a malformed JSON body with a JSON 400', async () => {
    const app = buildApp({ config: testConfig(), prompts, db: fakeDatabase(), version: '0.0.0', logger: false });
    const response = await inject(app, {
      method: 'POST',
      url: '/api/v1/courses',
      headers: { 'content-type': 'application/json' },
      payload: '{"title":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.stringContaining('JSON') });
  });

  it('validates the course body before touching the database, naming the field', async () => {
    const db = fakeDatabase({ query: jest.fn() });
    const app = buildApp({ config: testConfig(), prompts, db, version: '0.0.0', logger: false });
    const cases = [
      [{}, 'title'],
      [{ title: '   ' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: 'ok', description: 42 }, 'description'],
    ] as const;
    for (const [payload, field] of cases) {
      const response = await inject(app, { method: 'POST', url: '/api/v1/courses', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Bad Request', message: expect.stringMatching(new RegExp(`^${field}: `)), field });
    }
    const notUuid = await inject(app, { method: 'GET', url: '/api/v1/courses/42' });
    expect(notUuid.json()).toEqual({ error: 'Bad Request', message: 'id: must be a UUID', field: 'id' });
    expect(db.query).not.toHaveBeenCalled();
  });

  it('closes the database with the app', async () => {
    const db = fakeDatabase();
    const app = buildApp({ config: testConfig(), prompts, db, version: '0.0.0', logger: false });
    await app.ready();
    await app.close();
    expect(db.closed).toBe(true);
  });
});

describe('prompt routes', () => {
  const app = buildRealApp({ config: testConfig(), prompts, version: '0.0.0', logger: false });
  afterAll(() => app.close());

  it('lists the templates without their bodies', async () => {
    const response = await inject(app, { method: 'GET', url: '/api/v1/prompts' });
    expect(response.statusCode).toBe(200);
    const list = response.json();
    expect(list.map((p: { name: string }) => p.name)).toEqual(['course-outline', 'lesson-summary', 'quiz-generation']);
    expect(Object.keys(list[0]).sort()).toEqual(['description', 'name', 'variables', 'version']);
  });

  it('serves one template with its body', async () => {
    const response = await inject(app, { method: 'GET', url: '/api/v1/prompts/quiz-generation' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(prompts.get('quiz-generation'));
    expect(response.json().body).toContain('{{topic}}');
  });

  it('answers an unknown template with a JSON 404', async () => {
    const response = await inject(app, { method: 'GET', url: '/api/v1/prompts/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: 'prompt nope not found' });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await inject(app, { method: 'GET', url: '/api/v2/whatever' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: 'Route GET /api/v2/whatever not found' });
  });
});
