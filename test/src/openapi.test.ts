import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Validator } from '@cfworker/json-schema';
import type { FastifyInstance } from 'fastify';
import { fakeDatabase } from './support/fake-database';
import { inject, type TestRequest, type TestResponse } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { repoRoot } from './support/throwaway-database';
import { buildApp } from '../../src/app';
import type { Database } from '../../src/database';

type Json = Record<string, any>;
const course = { id: '6f1c1a39-0a8e-4f57-9b0c-2b9c0a1e2d3f', title: 'Databases 101', description: null, created_at: new Date('2026-01-02T03:04:05.678Z') };
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** The database behind the app, as each scenario needs it. */
let mode: 'ok' | 'down' | 'broken' = 'ok';
const db: Database = fakeDatabase({
  query: async <Row>(text: string, values?: unknown[]): Promise<Row[]> => {
    if (mode === 'down') throw refused;
    if (mode === 'broken') throw new Error('relation "courses" does not exist');
    if (text.includes('WHERE id')) return (values?.[0] === course.id ? [course] : []) as Row[];
    return [{ ...course, position: '2026-01-02T03:04:05.678000Z' }] as Row[];
  },
  probe: async () => {
    if (mode !== 'ok') throw refused;
  },
});
db.transaction = async (work) => work(db.query);

describe('the OpenAPI document', () => {
  let app: FastifyInstance;
  let document: Json;
  beforeAll(async () => {
    // probeWindowMs 1: each scenario's database state is probed afresh.
    const config = testConfig({ database: { ...testConfig().database, probeWindowMs: 1 } });
    app = buildApp({ config, prompts: repoPrompts(), db, version: '1.2.3', logger: false });
    const response = await inject(app, { method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(() => app.close());

  it('is valid OpenAPI 3.1 by the specification\'s own schemas', () => {
    const result = spawnSync(process.execPath, [path.join(__dirname, 'support', 'validate-openapi.mjs')], { input: JSON.stringify(document), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, errors: [], version: '3.1' });
  });

  it('lists every route with the status codes it answers', () => {
    const operations = Object.entries(document.paths as Json).flatMap(([route, methods]) =>
      Object.entries(methods as Json).map(([method, op]) => `${method.toUpperCase()} ${route} ${Object.keys(op.responses).join(',')}`));
    // Every operation: 400 (a request that cannot be parsed or has no Host), 408 and 431 (node's limits), 417
    // (an unknown expectation), 500. With a body: 413 and 415; with a path parameter: 414. The rest are its own.
    expect(operations.sort()).toEqual([
      'GET /api/v1/courses 200,400,408,417,431,500,503',
      'GET /api/v1/courses/{id} 200,400,404,408,414,417,431,500,503',
      'GET /api/v1/prompts 200,400,408,417,431,500',
      'GET /api/v1/prompts/{name} 200,400,404,408,414,417,431,500',
      'GET /health 200,400,408,417,431,500,503',
      'GET /health/live 200,400,408,417,431,500',
      'GET /metrics 200,400,408,417,431,500',
      'GET /openapi.json 200,400,408,417,431,500',
      'POST /api/v1/courses 201,400,408,413,415,417,431,500,503',
    ]);
  });

  /** The declared response a URL's answer matches: its operation's, for the answer's status. */
  const responseFor = (request: TestRequest, response: TestResponse): Json => {
    const url = request.url.split('?')[0];
    const [, operation] = Object.entries(document.paths as Json).find(([template]) =>
      new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url)) ?? [];
    const answer = operation?.[request.method.toLowerCase()]?.responses?.[response.statusCode];
    if (!answer) throw new Error(`${request.method} ${url} answered ${response.statusCode}, which the document does not list`);
    return answer;
  };

  /** The schema of the answer's body, by its status and content type. */
  const schemaFor = (request: TestRequest, response: TestResponse): Json => {
    const url = request.url.split('?')[0];
    const answer = responseFor(request, response);
    const type = response.headers['content-type'].split(';')[0];
    const content = Object.entries(answer.content as Json).find(([declared]) => declared.split(';')[0] === type);
    if (!content) throw new Error(`${request.method} ${url} ${response.statusCode} answered ${type}, which the document does not list`);
    return content[1].schema;
  };

  const json = { 'content-type': 'application/json' };
  const scenarios: [state: typeof mode, request: TestRequest, status: number][] = [
    ['ok', { method: 'GET', url: '/health/live' }, 200],
    ['ok', { method: 'GET', url: '/health' }, 200],
    ['down', { method: 'GET', url: '/health' }, 503],
    ['ok', { method: 'GET', url: '/metrics' }, 200],
    ['ok', { method: 'GET', url: '/openapi.json' }, 200],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: { title: 'Databases 101' } }, 201],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: { title: '' } }, 400],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: '{"title":', headers: json }, 400],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: { title: 'x', extra: 'x'.repeat(1_100_000) } }, 413],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: '<title>x</title>', headers: { 'content-type': 'application/xml' } }, 415],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: '{"title":"x"}', headers: { 'content-type': 'text/plain' } }, 415],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: '{"title":"x"}', headers: { 'content-type': 'application/json; charset=latin1' } }, 415],
    ['ok', { method: 'POST', url: '/api/v1/courses', payload: '{"title":"\\ud800"}', headers: json }, 400],
    ['ok', { method: 'GET', url: '/api/v1/prompts', headers: { 'x-padding': 'x'.repeat(20_000) } }, 431],
    ['down', { method: 'POST', url: '/api/v1/courses', payload: { title: 'x' } }, 503],
    ['broken', { method: 'POST', url: '/api/v1/courses', payload: { title: 'x' } }, 500],
    ['ok', { method: 'GET', url: '/api/v1/courses?limit=1' }, 200],
    ['ok', { method: 'GET', url: '/api/v1/courses?limit=0' }, 400],
    ['down', { method: 'GET', url: '/api/v1/courses' }, 503],
    ['broken', { method: 'GET', url: '/api/v1/courses' }, 500],
    ['ok', { method: 'GET', url: `/api/v1/courses/${course.id}` }, 200],
    ['ok', { method: 'GET', url: '/api/v1/courses/00000000-0000-4000-8000-000000000000' }, 404],
    ['ok', { method: 'GET', url: '/api/v1/courses/42' }, 400],
    ['ok', { method: 'GET', url: '/api/v1/courses/%E0%A4%A' }, 400],
    ['ok', { method: 'GET', url: `/api/v1/courses/${'a'.repeat(101)}` }, 414],
    ['down', { method: 'GET', url: `/api/v1/courses/${course.id}` }, 503],
    ['broken', { method: 'GET', url: `/api/v1/courses/${course.id}` }, 500],
    ['ok', { method: 'GET', url: '/api/v1/prompts' }, 200],
    ['ok', { method: 'GET', url: '/api/v1/prompts/quiz-generation' }, 200],
    ['ok', { method: 'GET', url: '/api/v1/prompts/nope' }, 404],
    ['ok', { method: 'GET', url: '/api/v1/prompts/Not_Kebab' }, 400],
    ['ok', { method: 'GET', url: `/api/v1/prompts/${'a'.repeat(101)}` }, 414],
  ];
  it.each(scenarios.map(([state, request, status]) => [state, `${request.method} ${request.url}`, status, request] as const))(
    'with the database %s, %s answers %i as the document says', async (state, _label, status, request) => {
      mode = state;
      const response = await inject(app, request);
      expect(response.statusCode).toBe(status);
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
      const schema = schemaFor(request, response);
      const body = schema.type === 'string' ? response.body : response.json();
      const result = new Validator(schema, '2020-12').validate(body);
      expect(result.errors).toEqual([]);
      // Every header the answer's declaration names, by its schema; a required one must be there.
      const declared: Json = responseFor(request, response).headers ?? {};
      for (const [name, header] of Object.entries(declared)) {
        const { required, schema: headerSchema } = document.components.headers[header.$ref.split('/').pop()];
        const value = response.headers[name.toLowerCase()];
        if (value === undefined) expect({ name, required: Boolean(required) }).toEqual({ name, required: false });
        else expect({ name, errors: new Validator(headerSchema, '2020-12').validate(value).errors }).toEqual({ name, errors: [] });
      }
      // And no header of ours goes undeclared.
      for (const name of ['x-request-id', 'retry-after']) {
        if (response.headers[name] !== undefined) expect(Object.keys(declared)).toContain(name);
      }
    });

  it.each([
    ['an unknown path', { method: 'GET', url: '/nowhere' }, 404],
    ['a method the path does not serve', { method: 'DELETE', url: '/api/v1/courses' }, 405],
  ] as const)('answers %s, which no operation gives, in the error format the operations declare', async (_name, request, status) => {
    const response = await inject(app, request);
    expect(response.statusCode).toBe(status);
    const { schema: headerSchema } = document.components.headers['X-Request-Id'];
    expect(new Validator(headerSchema, '2020-12').validate(response.headers['x-request-id']).errors).toEqual([]);
    const errorSchema = document.paths['/api/v1/courses'].post.responses['400'].content['application/json'].schema;
    expect(new Validator(errorSchema, '2020-12').validate(response.json()).errors).toEqual([]);
  });

  it('agrees with the README\'s endpoint table: the same routes, and no status the document lacks', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Endpoints'), readme.indexOf('\n## ', readme.indexOf('\n## Endpoints') + 1));
    const rows = [...section.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) ([^`]+)` +\|(.*)\|$/gm)];
    const documented = Object.entries(document.paths as Json).flatMap(([route, methods]) =>
      Object.entries(methods as Json).map(([method, op]) => ({ key: `${method.toUpperCase()} ${route.replace(/\{([^}]+)\}/g, ':$1')}`, statuses: Object.keys(op.responses) })));
    expect(rows.map(([, method, route]) => `${method} ${route}`).sort()).toEqual(documented.map((d) => d.key).sort());
    for (const [, method, route, answer] of rows) {
      const { statuses } = documented.find((d) => d.key === `${method} ${route}`)!;
      const claimed = [...answer.matchAll(/`([1-5]\d\d)\b/g)].map((m) => m[1]);
      expect({ route: `${method} ${route}`, unlisted: claimed.filter((s) => !statuses.includes(s)) }).toEqual({ route: `${method} ${route}`, unlisted: [] });
    }
  });
});
