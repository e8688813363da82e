import * as net from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { fakeDatabase } from './support/fake-database';
import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { buildApp } from '../../src/app';
import { requestIdGenerator } from '../../src/request-id';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function start(): { app: FastifyInstance; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const db = fakeDatabase({ query: async () => { throw new Error('relation "courses" does not exist'); } });
  const app = buildApp({ config: testConfig(), prompts: repoPrompts(), db, version: '0.0.0', logger: { level: 'info', stream } });
  apps.push(app);
  return { app, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('request ids', () => {
  it.each([
    ['a UUID', '7d3c1b0e-5f4a-4c2e-9b1d-0a2b3c4d5e6f'],
    ['a W3C trace id', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['the longest accepted (128)', 'a'.repeat(128)],
    ['dots, colons and underscores', 'gw:edge_1.42'],
  ])('keeps a safe incoming id (%s): echoed, on the log line', async (_name, id) => {
    const { app, lines } = start();
    const response = await inject(app, { method: 'GET', url: '/api/v1/prompts', headers: { 'x-request-id': id } });
    expect(response.headers['x-request-id']).toBe(id);
    expect(lines().filter((l) => l.msg === 'request completed')).toEqual([expect.objectContaining({ reqId: id })]);
  });

  it.each([
    ['oversized (129)', 'a'.repeat(129)],
    ['with a space', 'abc def'],
    ['with markup', '<script>'],
    ['with a quote', 'a"b'],
    ['empty', ''],
  ])('replaces an unsafe incoming id (%s), never echoing it', async (_name, id) => {
    const { app, lines } = start();
    const response = await inject(app, { method: 'GET', url: '/api/v1/prompts', headers: { 'x-request-id': id } });
    const echoed = response.headers['x-request-id'];
    expect(echoed).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(JSON.stringify(lines())).not.toContain(id || '""');
    expect(lines().filter((l) => l.msg === 'request completed')).toEqual([expect.objectContaining({ reqId: echoed })]);
  });

  it('makes a new id per request when none comes, and echoes it on every answer, 404 and 400 included', async () => {
    const { app } = start();
    const ids = [];
    for (const url of ['/api/v1/prompts', '/api/v1/prompts', '/nowhere', '/api/v1/courses/%E0%A4%A', '/api/v1/courses/42']) {
      const response = await inject(app, { method: 'GET', url });
      ids.push(response.headers['x-request-id']);
    }
    expect(ids.every((id) => /^[0-9a-f]{12}-[0-9a-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names the id in a 500\'s body, the header and the log line that holds the details', async () => {
    const { app, lines } = start();
    const response = await inject(app, { method: 'GET', url: '/api/v1/courses', headers: { 'x-request-id': 'trace-500' } });
    expect(response.statusCode).toBe(500);
    expect(response.json().requestId).toBe('trace-500');
    expect(response.headers['x-request-id']).toBe('trace-500');
    expect(lines().filter((l) => l.msg === 'request failed')).toEqual([expect.objectContaining({ reqId: 'trace-500', err: expect.any(Object) })]);
  });

  it('gives an answer node writes for an unreadable request an id too, the same as its log line', async () => {
    const { app, lines } = start();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const socket = net.connect((app.server.address() as net.AddressInfo).port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk; });
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.end(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await new Promise((resolve) => socket.on('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    const id = /\r\nX-Request-Id: ([^\r]+)\r\n/.exec(answer)?.[1];
    expect(id).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'client error', reqId: id }));
  });
});

describe('requestIdGenerator', () => {
  it('makes ids from its prefix and a counter: unique within a process, distinct across prefixes', () => {
    const next = requestIdGenerator('p1');
    expect([next(), next(), next()]).toEqual(['p1-1', 'p1-2', 'p1-3']);
    expect(requestIdGenerator()()).not.toBe(requestIdGenerator()());
  });
});
