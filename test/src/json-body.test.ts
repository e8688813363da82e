import type { FastifyInstance } from 'fastify';
import { fakeDatabase } from './support/fake-database';
import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { buildApp } from '../../src/app';

const course = { id: '6f1c1a39-0a8e-4f57-9b0c-2b9c0a1e2d3f', description: null, created_at: new Date('2026-01-02T03:04:05.678Z') };
const inserted: unknown[][] = [];
const db = fakeDatabase({
  query: async <Row>(_text: string, values?: unknown[]) => {
    inserted.push(values ?? []);
    return [{ ...course, title: values?.[0] }] as Row[];
  },
});
let app: FastifyInstance;
beforeAll(() => {
  app = buildApp({ config: testConfig(), prompts: repoPrompts(), db, version: '0.0.0', logger: false });
});
afterAll(() => app.close());
beforeEach(() => {
  inserted.length = 0;
});

const post = (payload: string | Buffer, contentType: string) =>
  inject(app, { method: 'POST', url: '/api/v1/courses', payload, headers: { 'content-type': contentType } });

describe('a JSON body', () => {
  it.each([
    ['text/plain', '{"title":"x"}'],
    ['application/xml', '<title>x</title>'],
    ['application/x-www-form-urlencoded', 'title=x'],
    ['application/json; charset=utf-16', '{"title":"x"}'],
    ['application/json; charset=UTF-16LE', '{"title":"x"}'],
    ['application/json; charset=latin1', '{"title":"x"}'],
    ['application/json; charset=no-such-charset', '{"title":"x"}'],
  ])('sent as %s is answered 415, as JSON, and stores nothing', async (contentType, payload) => {
    const response = await post(payload, contentType);
    expect(response.statusCode).toBe(415);
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    expect(response.json()).toEqual({ error: 'Unsupported Media Type', message: expect.stringMatching(/^Unsupported Media Type/) });
    expect(inserted).toEqual([]);
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset="UTF-8"',
    'application/json;charset=utf8',
  ])('sent as %s is read as UTF-8', async (contentType) => {
    const response = await post(Buffer.from('{"title":"Grüße 😀"}'), contentType);
    expect(response.statusCode).toBe(201);
    expect(inserted).toEqual([['Grüße 😀', null]]);
  });

  it.each([
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"title":"ab'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), 'body', /^body: is not valid UTF-8 \(at byte 12\)$/],
    ['an overlong UTF-8 encoding', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), 'body', /^body: is not valid UTF-8/],
    ['a lone surrogate escape', '{"title":"a\\ud800b"}', 'title', /^title: is not Unicode text: it holds a lone surrogate$/],
    ['a lone low surrogate escape', '{"title":"ok","description":"\\udc00"}', 'description', /^description: /],
    ['a lone surrogate in a key', '{"title":"ok","\\ud800":1}', '\ud800', /the key is not Unicode text/],
    ['a __proto__ key', '{"title":"x","__proto__":{"isAdmin":true}}', '__proto__', /^__proto__: is not an allowed key$/],
    ['a nested __proto__ key', '{"title":"x","tags":[{"__proto__":{}}]}', 'tags.0.__proto__', /^tags\.0\.__proto__: is not an allowed key$/],
    ['a constructor.prototype key', '{"title":"x","constructor":{"prototype":{"isAdmin":true}}}', 'constructor.prototype', /^constructor\.prototype: is not an allowed key$/],
    ['malformed JSON', '{"title":', 'body', /^body: is not valid JSON$/],
    ['nothing', '', 'body', /^body: is empty/],
  ])('holding %s is answered 400 naming the part at fault, and stores nothing', async (_name, payload, field, message) => {
    const response = await post(payload, 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message: expect.stringMatching(message), field });
    expect(inserted).toEqual([]);
  });

  it('keeps a pair of surrogate escapes, one character, and a plain "constructor" key', async () => {
    const response = await post('{"title":"\\ud83d\\ude00","constructor":"fine"}', 'application/json');
    expect(response.statusCode).toBe(201);
    expect(inserted).toEqual([['😀', null]]);
  });

  it.each([
    ['the wrong shape', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`, 'body'],
    ['a prototype key deep down', (depth: number) => `{"title":"x","a":${'['.repeat(depth)}{"__proto__":1}${']'.repeat(depth)}}`, /^a\.(0\.)+__proto__$/],
  ])('refuses a body nested as deep as the body limit allows, holding %s, with a 400', async (_name, body, field) => {
    const depth = 200_000;
    const response = await post(body(depth), 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ field: typeof field === 'string' ? field : expect.stringMatching(field) });
  });
});
