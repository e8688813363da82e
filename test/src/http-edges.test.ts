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

// node enforces these timeouts on a check every connectionsCheckingInterval (1 s, src/app.ts); a
// busy machine may add a little scheduling delay on top. Bounds derive from the configured values.
const checkIntervalMs = 1000;
const slackMs = 1000;

describe('HTTP timeouts', () => {
  it('has keep-alive, request and headers timeouts, keep-alive longer than a load balancer idle timeout', () => {
    const config = loadConfig({});
    expect(config.keepAliveTimeoutMs).toBeGreaterThan(60_000);
    expect(config.requestTimeoutMs).toBeGreaterThan(0);
    expect(config.headersTimeoutMs).toBeLessThanOrEqual(config.requestTimeoutMs);
  });

  it('cuts a slowly sent body off with a JSON 408 after requestTimeoutMs', async () => {
    const timeouts = { requestTimeoutMs: 1000, headersTimeoutMs: 1000 };
    const { port, logLines } = await start(timeouts);
    const body = JSON.stringify({ title: 'sent one byte at a time' }).padEnd(200, ' ');
    const { answer, closedAfterMs } = await slowSender(port,
      `POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body, 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'Request Timeout', message: 'request not received in time' });
    expect(answer).toMatch(/^X-Request-Id: \S+\r$/m);
    // Cut off by the timeout, not by the sender running out of bytes (200 bytes at 100 ms each take 20 s).
    expect(closedAfterMs).toBeGreaterThanOrEqual(timeouts.requestTimeoutMs);
    expect(closedAfterMs).toBeLessThan(timeouts.requestTimeoutMs + checkIntervalMs + slackMs);
    expect(logLines()).toContainEqual(expect.objectContaining({ msg: 'client error', statusCode: 408 }));
  });

  it('cuts off slowly sent headers after headersTimeoutMs', async () => {
    const timeouts = { requestTimeoutMs: 3000, headersTimeoutMs: 500 };
    const { port } = await start(timeouts);
    const { answer, closedAfterMs } = await slowSender(port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: ' + 'a'.repeat(100), 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // The headers' own timeout, well before the request's.
    expect(closedAfterMs).toBeLessThan(timeouts.headersTimeoutMs + checkIntervalMs + slackMs);
    expect(closedAfterMs).toBeLessThan(timeouts.requestTimeoutMs);
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    const keepAliveTimeoutMs = 300;
    const { app, port } = await start({ keepAliveTimeoutMs });
    // node keeps the socket this much longer than the Keep-Alive header says, for requests already on the way.
    const bufferMs = (app.server as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer ?? 0;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', () => undefined);
    await once(socket, 'connect');
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'data');
    const idleSince = Date.now();
    await once(socket, 'close');
    const idleMs = Date.now() - idleSince;
    // Node's timer may fire a little early against our clock; it closes when idle, never mid-use.
    expect(idleMs).toBeGreaterThanOrEqual(keepAliveTimeoutMs - 50);
    expect(idleMs).toBeLessThan(keepAliveTimeoutMs + bufferMs + slackMs);
  });
});

describe('framework errors and aborted requests', () => {
  it.each([
    ['an over-long parameter', `/api/v1/courses/${'a'.repeat(8000)}`, 414, 'a path parameter is longer than 100 characters'],
    ['a bad URL', `/api/v1/courses/${'a'.repeat(8000)}%E0%A4%A`, 400, 'the URL is not valid percent-encoding'],
    ['an unknown route', '/nowhere', 404, 'Route GET /nowhere not found'],
  ])('answers %s in our error format, with a message of its own, and logs its line', async (_name, url, status, message) => {
    const { app, logLines } = await start();
    const response = await inject(app, { method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ error: expect.any(String), message });
    const lines = logLines().filter((l) => l.url === url);
    expect(lines).toEqual([expect.objectContaining({ method: 'GET', url, statusCode: status, msg: 'request completed' })]);
  });

  it('logs a request whose client went away before the answer', async () => {
    // The query answers only once the test lets it: the request is in flight for as long as needed.
    let answer: (rows: never[]) => void = () => undefined;
    let queried: () => void = () => undefined;
    const inQuery = new Promise<void>((resolve) => { queried = resolve; });
    const slow = fakeDatabase({ query: () => new Promise((resolve) => { answer = resolve; queried(); }) });
    const { port, logLines } = await start({}, slow);
    const aborted = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/api/v1/courses`, { signal: aborted.signal }).catch(() => 'aborted');
    await inQuery;
    aborted.abort();
    expect(await request).toBe('aborted');
    const line = expect.objectContaining({ msg: 'request aborted', method: 'GET', url: '/api/v1/courses' });
    // The server hears the close asynchronously: wait for the line itself, bounded.
    for (const until = Date.now() + 5000; Date.now() < until && !logLines().some((l) => l.msg === 'request aborted');) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    answer([]);
    expect(logLines()).toContainEqual(line);
  });
});

/** The status lines of the answers in `text`, in order (an answer follows the body before it directly). */
const statusLines = (text: string): string[] => [...text.matchAll(/HTTP\/1\.1 \d{3}/g)].map(([line]) => line);

describe('a connection whose next request is malformed', () => {
  it('answers the request before it first, then the malformed one, once, and logs and counts both', async () => {
    const inserted: unknown[][] = [];
    // The insert answers only when the test says: the POST is in flight while node reports the rest.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const db = fakeDatabase({
      query: async <Row>(_text: string, values?: unknown[]) => {
        await released;
        inserted.push(values ?? []);
        return [{ id: '6f1c1a39-0a8e-4f57-9b0c-2b9c0a1e2d3f', title: values?.[0], description: null, created_at: new Date() }] as Row[];
      },
    });
    const { app, port, logLines } = await start({}, db);
    let reported = 0;
    let reportedTwice: () => void = () => undefined;
    const twice = new Promise<void>((resolve) => { reportedTwice = resolve; });
    app.server.on('clientError', () => { if (++reported === 2) reportedTwice(); });

    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk; });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const body = '{"title":"x"}';
    socket.write(`POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}GARBAGE\r\n\r\n`);
    await once(app.server, 'clientError');
    // node reports each further chunk of a connection it could not parse again.
    socket.write('MORE GARBAGE\r\n\r\n');
    await twice;
    release();
    await closed;

    expect(statusLines(answer)).toEqual(['HTTP/1.1 201', 'HTTP/1.1 400']);
    expect(answer.match(/^x-request-id: \S+\r$/gim)).toHaveLength(2);
    expect(inserted).toEqual([['x', null]]);
    const lines = logLines();
    expect(lines.filter((l) => l.method === 'POST')).toEqual([expect.objectContaining({ msg: 'request completed', statusCode: 201 })]);
    expect(lines.filter((l) => l.msg === 'client error')).toEqual([expect.objectContaining({ statusCode: 400 })]);
    // The scrape counts itself: nothing else is in flight.
    const scrape = await inject(app, { method: 'GET', url: '/metrics' });
    expect(scrape.body).toMatch(/^http_requests_in_flight 1$/m);
  });
});

/** Reads one answer from `socket`: its status line and headers, then as many body bytes as Content-Length says. */
function readAnswer(socket: net.Socket): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onClose = (): void => reject(new Error(`closed after ${JSON.stringify(received.toString('latin1'))}`));
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      const length = Number(/^content-length: *(\d+)/im.exec(head)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      socket.off('data', onData).off('close', onClose).pause();
      resolve({ head, body: received.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    socket.on('data', onData).once('close', onClose).resume();
  });
}

describe('a body far over the limit', () => {
  const tenMegabytes = 10 * 1024 * 1024;
  const bodyOf = (size: number): string => `{"title":"${'x'.repeat(size - 13)}"}`;

  it.each([
    ['with a Content-Length', (body: string) => `Content-Length: ${body.length}\r\n\r\n${body}`],
    ['chunked', (body: string) => `Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
  ])('%s is answered 413 once the client has sent it all, and the connection serves the next request', async (_name, framing) => {
    const { port, logLines } = await start();
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    // Like many clients: the whole request first, and only then the answer. Nothing is read meanwhile.
    const sent = await new Promise<Error | null | undefined>((resolve) => {
      socket.on('error', resolve);
      socket.write(`POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing(bodyOf(tenMegabytes))}`, resolve);
    });
    expect(sent).toBeFalsy();
    const answer = await readAnswer(socket);
    expect(answer.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.head).toMatch(/^x-request-id: /im);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Payload Too Large', message: 'Request body is too large' });
    socket.write('GET /api/v1/prompts HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await readAnswer(socket)).head).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
    expect(logLines().filter((l) => l.msg === 'request completed').map((l) => l.statusCode)).toEqual([413, 200]);
  });

  it('is answered once: a client that stops sending the rest is cut off at the request timeout, without a second answer', async () => {
    const { port } = await start({ requestTimeoutMs: 1000, headersTimeoutMs: 1000 });
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk; });
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(`POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${tenMegabytes}\r\n\r\n{"title":"`);
    await closed;
    expect(statusLines(answer)).toEqual(['HTTP/1.1 413']);
  });
});

describe('a method a path does not serve', () => {
  it.each([
    ['PUT', '/api/v1/courses', 'GET, HEAD, POST'],
    ['PATCH', '/api/v1/courses?limit=1', 'GET, HEAD, POST'],
    ['DELETE', '/api/v1/courses/6f1c1a39-0a8e-4f57-9b0c-2b9c0a1e2d3f', 'GET, HEAD'],
    ['OPTIONS', '/api/v1/prompts', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
  ] as const)('%s %s is answered 405 with Allow: %s, in our error format, and logged', async (method, url, allow) => {
    const { app, logLines } = await start();
    const response = await inject(app, { method, url });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    expect(response.json()).toEqual({ error: 'Method Not Allowed', message: `${method} is not served here; this path serves ${allow}` });
    expect(logLines().filter((l) => l.url === url)).toEqual([expect.objectContaining({ method, statusCode: 405, msg: 'request completed' })]);
  });

  it('is answered by its method alone, before any body is read', async () => {
    const { app } = await start();
    const response = await inject(app, { method: 'PUT', url: '/api/v1/courses', payload: '{"title":', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(405);
  });

  it('leaves an unknown path a 404, and HEAD served wherever GET is', async () => {
    const { app } = await start();
    expect((await inject(app, { method: 'PUT', url: '/nowhere' })).statusCode).toBe(404);
    expect((await inject(app, { method: 'HEAD', url: '/api/v1/prompts' })).statusCode).toBe(200);
  });
});

describe('requests node would refuse itself', () => {
  /** Sends one request on a new connection (closed after its answer) and returns what came back. */
  async function exchange(port: number, request: string): Promise<string> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk; });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.end(request);
    await closed;
    return answer;
  }
  const bodyOf = (answer: string): unknown => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

  it.each([
    ['an HTTP/1.1 request without Host', 'GET /api/v1/prompts HTTP/1.1\r\n\r\n', 400, 'the Host header is required'],
    ['an expectation other than 100-continue', 'GET /api/v1/prompts HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n', 417,
      'only the expectation 100-continue is supported'],
  ])('answers %s in our error format, with x-request-id, and logs it', async (_name, request, status, message) => {
    const { port, logLines } = await start();
    const answer = await exchange(port, request);
    expect(statusLines(answer)).toEqual([`HTTP/1.1 ${status}`]);
    expect(answer).toMatch(/^x-request-id: \S+\r$/im);
    expect(bodyOf(answer)).toEqual({ error: expect.any(String), message });
    expect(logLines().filter((l) => l.url === '/api/v1/prompts')).toEqual([expect.objectContaining({ statusCode: status, msg: 'request completed' })]);
  });

  it('serves an HTTP/1.0 request without Host, which needs none', async () => {
    const { port } = await start();
    expect(statusLines(await exchange(port, 'GET /api/v1/prompts HTTP/1.0\r\n\r\n'))).toEqual(['HTTP/1.1 200']);
  });
});

describe('a request still arriving when the app begins to close', () => {
  it('is served while the database is still open, in our format and logged, and its connection closed after', async () => {
    const db = fakeDatabase({
      query: async <Row>(_text: string, values?: unknown[]) => {
        if (db.closed) throw new Error('the database closed before the server');
        return [{ id: '6f1c1a39-0a8e-4f57-9b0c-2b9c0a1e2d3f', title: values?.[0], description: null, created_at: new Date() }] as Row[];
      },
    });
    const { app, port, logLines } = await start({}, db);
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk; });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    // Its headers are on the way: the connection is not idle, so closing waits for it.
    const body = '{"title":"x"}';
    socket.write(`POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n`);
    const closing = app.close();
    socket.write(`\r\n${body}`);
    await closed;
    await closing;
    expect(statusLines(answer)).toEqual(['HTTP/1.1 201']);
    expect(answer).toMatch(/^x-request-id: \S+\r$/im);
    expect(answer).toMatch(/^connection: close\r$/im);
    expect(logLines().filter((l) => l.url === '/api/v1/courses')).toEqual([expect.objectContaining({ statusCode: 201, msg: 'request completed' })]);
    expect(db.closed).toBe(true);
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
