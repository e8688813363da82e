import { once } from 'node:events';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { fakeDatabase } from './support/fake-database';
import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { loadConfig } from '../../src/config';

const prompts = repoPrompts();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

interface Started {
  app: FastifyInstance;
  port: number;
  logLines: () => Record<string, unknown>[];
}

async function start(overrides: Partial<Config> = {}, db = fakeDatabase()): Promise<Started> {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const app = buildApp({ config: testConfig(overrides), prompts, db, version: '1.2.3', logger: { level: 'info', stream } });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as net.AddressInfo;
  return { app, port, logLines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

/** Writes `head`, then one byte of `drip` every `everyMs`; resolves with what the server sent and when it closed. */
async function slowSender(port: number, head: string, drip: string, everyMs: number): Promise<{ answer: string; closedAfterMs: number }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk; });
  socket.on('error', () => undefined);
  socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < drip.length && socket.writable) socket.write(drip[sent++]);
  }, everyMs);
  // Bounded: a server without timeouts would keep it open for as long as bytes trickle in.
  const cap = setTimeout(() => socket.destroy(), 5000);
  await once(socket, 'close');
  clearInterval(timer);
  clearTimeout(cap);
  return { answer, closedAfterMs: Date.now() - started };
}

describe('HTTP timeouts', () => {
  it('has keep-alive, request and headers timeouts, keep-alive longer than a load balancer idle timeout', () => {
    const config = loadConfig({});
    expect(config.keepAliveTimeoutMs).toBeGreaterThan(60_000);
    expect(config.requestTimeoutMs).toBeGreaterThan(0);
    expect(config.headersTimeoutMs).toBeLessThanOrEqual(config.requestTimeoutMs);
  });

  it('cuts a slowly sent body off with a JSON 408 after requestTimeoutMs', async () => {
    const { port, logLines } = await start({ requestTimeoutMs: 1000, headersTimeoutMs: 1000 });
    const body = JSON.stringify({ title: 'sent one byte at a time' }).padEnd(200, ' ');
    const { answer, closedAfterMs } = await slowSender(port,
      `POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body, 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'Request Timeout', message: 'request not received in time' });
    // The timeout plus at most node's check interval (1 s).
    expect(closedAfterMs).toBeLessThan(2500);
    expect(logLines()).toContainEqual(expect.objectContaining({ msg: 'client error', statusCode: 408 }));
  });

  it('cuts off slowly sent headers after headersTimeoutMs', async () => {
    const { port } = await start({ requestTimeoutMs: 3000, headersTimeoutMs: 500 });
    const { answer, closedAfterMs } = await slowSender(port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: ' + 'a'.repeat(100), 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(2000);
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    const { port } = await start({ keepAliveTimeoutMs: 300 });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', () => undefined);
    await once(socket, 'connect');
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'data');
    const idleSince = Date.now();
    await once(socket, 'close');
    expect(Date.now() - idleSince).toBeGreaterThanOrEqual(250);
    expect(Date.now() - idleSince).toBeLessThan(2000);
  });
});

describe('framework errors and aborted requests', () => {
  it.each([
    ['an over-long parameter', `/api/v1/courses/${'a'.repeat(150)}`, 414],
    ['a bad URL', '/api/v1/courses/%E0%A4%A', 400],
    ['an unknown route', '/nowhere', 404],
  ])('answers %s in our error format and logs its line', async (_name, url, status) => {
    const { app, logLines } = await start();
    const response = await inject(app, { method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(response.json()).sort()).toEqual(['error', 'message']);
    const lines = logLines().filter((l) => l.url === url);
    expect(lines).toEqual([expect.objectContaining({ method: 'GET', url, statusCode: status, msg: 'request completed' })]);
  });

  it('logs a request whose client went away before the answer', async () => {
    const slow = fakeDatabase({ query: () => new Promise((resolve) => setTimeout(() => resolve([]), 500)) });
    const { port, logLines } = await start({}, slow);
    const aborted = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/api/v1/courses`, { signal: aborted.signal }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    aborted.abort();
    expect(await request).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(logLines()).toContainEqual(expect.objectContaining({ msg: 'request aborted', method: 'GET', url: '/api/v1/courses' }));
  });
});

describe('GET <livenessPath>', () => {
  it('answers 200 with the version without touching the database, even when it is down', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const db = fakeDatabase({ query: jest.fn(async () => { throw down; }), probe: jest.fn(async () => { throw down; }) });
    const { app } = await start({}, db);
    const response = await inject(app, { method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', version: '1.2.3' });
    expect(db.probe).not.toHaveBeenCalled();
    expect(db.query).not.toHaveBeenCalled();
    expect((await inject(app, { method: 'GET', url: '/health' })).statusCode).toBe(503);
  });

  it('is routed at the configured livenessPath', async () => {
    const { app } = await start({ livenessPath: '/livez' });
    expect((await inject(app, { method: 'GET', url: '/livez' })).statusCode).toBe(200);
    expect((await inject(app, { method: 'GET', url: '/health/live' })).statusCode).toBe(404);
  });
});
