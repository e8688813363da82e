import { once } from 'node:events';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { fakeDatabase } from './support/fake-database';
import { inject } from './support/http';
import type { LogLine } from './support/service';
import { repoPrompts, testConfig } from './support/test-config';
import { generous } from './support/until';
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
  logLines: () => LogLine[];
  /** Resolves with the first log line (already written or future) that matches. */
  logged: (predicate: (line: LogLine) => boolean) => Promise<LogLine>;
}

async function start(overrides: Partial<Config> = {}, db = fakeDatabase()): Promise<Started> {
  const lines: LogLine[] = [];
  const waiters = new Set<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let buffered = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      const complete = (buffered + String(chunk)).split('\n');
      buffered = complete.pop()!;
      for (const line of complete.filter(Boolean).map((text) => JSON.parse(text) as LogLine)) {
        lines.push(line);
        for (const waiter of waiters) {
          if (waiter.predicate(line)) {
            waiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      }
      done();
    },
  });
  const app = buildApp({ config: testConfig(overrides), prompts, db, version: '1.2.3', logger: { level: 'info', stream } });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as net.AddressInfo;
  const logged = (predicate: (line: LogLine) => boolean): Promise<LogLine> => {
    const seen = lines.find(predicate);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => { waiters.add({ predicate, resolve }); });
  };
  return { app, port, logLines: () => [...lines], logged };
}

/** A raw connection to the app, for requests fetch would not send: what the server sent, and its close. */
interface RawConnection {
  socket: net.Socket;
  closed: Promise<void>;
  answer(): string;
}

async function rawConnection(port: number): Promise<RawConnection> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk; });
  // A reset after the answer ends the connection as a close does; what the server sent is what the tests judge.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => { socket.on('close', () => resolve()); });
  return { socket, closed, answer: () => answer };
}

/** Resolves once the server has closed `connection`; rejects, and closes it, if it has not within `withinMs`. */
async function closedByServer(connection: RawConnection, withinMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the server had not closed the connection within ${withinMs} ms; it sent ${JSON.stringify(connection.answer())}`));
      connection.socket.destroy();
    }, withinMs);
  });
  try {
    await Promise.race([connection.closed, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Writes `head`, then one byte of `drip` every `everyMs`, until the server closes the connection; fails if it
 * has not within `withinMs`. Resolves with what the server sent.
 */
async function slowSender(port: number, head: string, drip: string, everyMs: number, withinMs: number): Promise<string> {
  const connection = await rawConnection(port);
  connection.socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < drip.length && connection.socket.writable) connection.socket.write(drip[sent++]);
  }, everyMs);
  try {
    await closedByServer(connection, withinMs);
  } finally {
    clearInterval(timer);
  }
  return connection.answer();
}

/** One byte every this many ms: a trickle that a server without timeouts would keep open for as long as it lasts. */
const dripEveryMs = 100;
/** Enough bytes to trickle for twice `ms`: what the server sends before then is no reaction to the trickle's end. */
const dripOutlasting = (ms: number): number => Math.ceil((2 * ms) / dripEveryMs);

/** The status lines of the answers in `text`, in order (an answer follows the body before it directly). */
const statusLines = (text: string): string[] => [...text.matchAll(/HTTP\/1\.1 \d{3}/g)].map(([line]) => line);

// node enforces the request and headers timeouts on a check every connectionsCheckingInterval (src/app.ts): a
// cut-off comes up to that late. A generous bound leaves room for the app's interval, not for node's default 30 s.
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
    const cutOffWithinMs = generous(timeouts.requestTimeoutMs);
    // Still arriving when the cut-off is due: only the timeout can end it, and a complete body would be a 201.
    const body = JSON.stringify({ title: 'sent one byte at a time' }).padEnd(dripOutlasting(cutOffWithinMs), ' ');
    const answer = await slowSender(port,
      `POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body, dripEveryMs, cutOffWithinMs);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'Request Timeout', message: 'request not received in time' });
    expect(answer).toMatch(/^X-Request-Id: \S+\r$/m);
    expect(logLines()).toContainEqual(expect.objectContaining({ msg: 'client error', statusCode: 408 }));
  });

  it('cuts off slowly sent headers after headersTimeoutMs, its own timeout, before the request\'s', async () => {
    const overrides = { headersTimeoutMs: 1000 };
    const { port } = await start(overrides);
    const { headersTimeoutMs, requestTimeoutMs } = testConfig(overrides);
    const cutOffWithinMs = generous(headersTimeoutMs);
    // The request's timeout is not due by then: a close within the bound is the headers' timeout.
    expect(cutOffWithinMs).toBeLessThan(requestTimeoutMs);
    const answer = await slowSender(port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: ' + 'a'.repeat(dripOutlasting(cutOffWithinMs)), dripEveryMs, cutOffWithinMs);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs, not while in use', async () => {
    const keepAliveTimeoutMs = 500;
    const { app, port } = await start({ keepAliveTimeoutMs });
    // node keeps the socket this much longer than the Keep-Alive header says, for requests already on the way.
    const bufferMs = (app.server as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer ?? 0;
    const connection = await rawConnection(port);
    const request = 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n';
    connection.socket.write(request);
    await once(connection.socket, 'data');
    // Kept open after an answer: it serves the next request.
    connection.socket.write(request);
    await closedByServer(connection, generous(keepAliveTimeoutMs + bufferMs));
    expect(statusLines(connection.answer())).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
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
    const { port, logged } = await start({}, slow);
    const aborted = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/api/v1/courses`, { signal: aborted.signal }).catch(() => 'aborted');
    await inQuery;
    aborted.abort();
    expect(await request).toBe('aborted');
    // The server hears the close asynchronously: wait for the line itself.
    expect(await logged((l) => l.msg === 'request aborted')).toMatchObject({ method: 'GET', url: '/api/v1/courses' });
    answer([]);
  });
});

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

    const { socket, answer, closed } = await rawConnection(port);
    const body = '{"title":"x"}';
    socket.write(`POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}GARBAGE\r\n\r\n`);
    await once(app.server, 'clientError');
    // node reports each further chunk of a connection it could not parse again.
    socket.write('MORE GARBAGE\r\n\r\n');
    await twice;
    release();
    await closed;

    expect(statusLines(answer())).toEqual(['HTTP/1.1 201', 'HTTP/1.1 400']);
    expect(answer().match(/^x-request-id: \S+\r$/gim)).toHaveLength(2);
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
    const timeouts = { requestTimeoutMs: 1000, headersTimeoutMs: 1000 };
    const { port } = await start(timeouts);
    const connection = await rawConnection(port);
    connection.socket.write(`POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${tenMegabytes}\r\n\r\n{"title":"`);
    await closedByServer(connection, generous(timeouts.requestTimeoutMs));
    expect(statusLines(connection.answer())).toEqual(['HTTP/1.1 413']);
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
    const { socket, answer, closed } = await rawConnection(port);
    socket.end(request);
    await closed;
    return answer();
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
    const { socket, answer, closed } = await rawConnection(port);
    // Its headers are on the way: the connection is not idle, so closing waits for it.
    const body = '{"title":"x"}';
    socket.write(`POST /api/v1/courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n`);
    const closing = app.close();
    socket.write(`\r\n${body}`);
    await closed;
    await closing;
    expect(statusLines(answer())).toEqual(['HTTP/1.1 201']);
    expect(answer()).toMatch(/^x-request-id: \S+\r$/im);
    expect(answer()).toMatch(/^connection: close\r$/im);
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
