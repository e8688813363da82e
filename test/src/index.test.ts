import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { startFaultProxy } from './support/fault-proxy';
import { alive, compileEntry, entry, markLoading, type Service, startService, workersListening } from './support/service';
import { createThrowawayDatabase, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';
import { generous, until } from './support/until';
import { loadConfig } from '../../src/config';

// Shutdown is judged by its events and exit codes: exit 0 and no "shutdown timed out" line prove
// the shutdown timeout was not hit. Where a wait needs a bound, it derives from the configuration.
const { shutdownTimeoutMs } = loadConfig({});
const timedOut = (service: Service): boolean => service.lines.some((l) => l.msg === 'shutdown timed out; killing remaining workers');

function keepAliveGet(port: number, agent: http.Agent, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** A POST whose body the caller sends: with "100-continue", 'continue' means a worker is handling it. */
function partialPost(port: number, title: string): {
  request: http.ClientRequest;
  body: string;
  response: Promise<{ status: number; json: Record<string, unknown> }>;
} {
  const body = JSON.stringify({ title, description: 'sent in two parts' });
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/courses',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'expect': '100-continue' },
  });
  const response = new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    }).on('error', reject);
  });
  request.flushHeaders();
  return { request, body, response };
}

/** A POST in flight whose body never completes, so the server cannot finish draining it. */
async function stuckPost(port: number): Promise<http.ClientRequest> {
  const stuck = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/courses',
    headers: { 'content-type': 'application/json', 'content-length': 100, 'expect': '100-continue' },
  });
  stuck.on('error', () => undefined); // The socket dies with the server.
  stuck.flushHeaders();
  await once(stuck, 'continue');
  stuck.write('{"title":');
  return stuck;
}

function postCourse(port: number, title: string): Promise<number | string> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ title });
    http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/courses', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message)).end(body);
  });
}

describe('node lib/index.js', () => {
  let throwaway: ThrowawayDatabase;
  const running: Service[] = [];

  beforeAll(async () => {
    compileEntry();
    throwaway = await createThrowawayDatabase();
    expect((await runMigrate(['up'], { DATABASE_URL: throwaway.url })).code).toBe(0);
  });
  afterEach(() => {
    for (const service of running.splice(0)) if (service.child.exitCode === null) service.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await throwaway?.drop();
  });

  const start = async (env: NodeJS.ProcessEnv = {}): Promise<Service> => {
    const service = await startService({ DATABASE_URL: throwaway.url, ...env });
    running.push(service);
    return service;
  };

  it('starts 2 workers; on SIGTERM finishes the in-flight request, then exits 0', async () => {
    const service = await start();
    await workersListening(service, 2);

    // A POST whose body arrives in two parts: the first part makes the request in flight.
    const { request, body, response } = partialPost(service.port, 'Graceful shutdown');
    // Node answers "100 Continue" only once a worker has parsed the headers: the request is now in flight.
    await once(request, 'continue');
    request.write(body.slice(0, 10));

    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    // Both workers have begun closing before the rest of the body is sent.
    await Promise.all([0, 1].map((i) => service.waitFor(
      (line) => line.msg === 'worker shutting down' && service.lines.filter((l) => l.msg === 'worker shutting down').indexOf(line) === i,
      `worker ${i + 1} shutting down`,
    )));
    request.end(body.slice(10));

    const answered = await response;
    expect(answered.status).toBe(201);
    expect(answered.json).toMatchObject({ title: 'Graceful shutdown' });

    const { code } = await service.exited;
    const shutdownMs = Date.now() - signalledAt;
    process.stdout.write(`shutdown with an in-flight request took ${shutdownMs} ms after SIGTERM\n`);
    expect(code).toBe(0);
    expect(service.lines.filter((l) => l.msg === 'worker stopped').map((l) => l.code)).toEqual([0, 0]);
    expect(timedOut(service)).toBe(false);
  });

  it('exits 0 within the shutdown timeout when SIGTERM arrives while the database is blackholed', async () => {
    const target = new URL(throwaway.url);
    const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port) });
    try {
      const service = await start({ DATABASE_URL: proxy.urlFor(throwaway.url) });
      await workersListening(service, 2);
      // Both workers hold pooled connections, which the blackhole then swallows.
      const warm = await Promise.all([1, 2, 3, 4].map(() => postCourse(service.port, 'warm')));
      expect(warm).toEqual([201, 201, 201, 201]);

      proxy.blackhole();
      const inFlight = partialPost(service.port, 'during the blackhole');
      // A worker has taken it: the signal finds it in flight.
      await once(inFlight.request, 'continue');
      inFlight.request.end(inFlight.body);
      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      const { code } = await service.exited;
      const shutdownMs = Date.now() - signalledAt;
      process.stdout.write(`shutdown during a database blackhole took ${shutdownMs} ms\n`);
      expect((await inFlight.response).status).toBe(503);
      expect(code).toBe(0);
      expect(timedOut(service)).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('kills the workers and exits 1 when a request outlives shutdownTimeoutMs', async () => {
    const service = await start();
    await workersListening(service, 2);
    const stuck = await stuckPost(service.port);

    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(1);
    expect(service.lines.some((l) => l.msg === 'shutdown timed out; killing remaining workers')).toBe(true);
    stuck.destroy();
  });

  it('shuts down promptly despite an idle keep-alive connection', async () => {
    const service = await start();
    await workersListening(service, 2);
    const agent = new http.Agent({ keepAlive: true });
    expect(await keepAliveGet(service.port, agent, '/api/v1/prompts')).toBe(200);

    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    const { code } = await service.exited;
    const shutdownMs = Date.now() - signalledAt;
    agent.destroy();
    expect(code).toBe(0);
    expect(service.lines.filter((l) => l.msg === 'request completed')).toHaveLength(1);
    process.stdout.write(`normal shutdown took ${shutdownMs} ms\n`);
    expect(timedOut(service)).toBe(false);
  });

  it('exits 0 when SIGTERM arrives while the workers are still starting', async () => {
    const service = await start();
    await service.waitFor((line) => line.msg === 'primary started', 'primary started');
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });

  it('exits promptly and cleanly whenever during startup SIGTERM arrives', async () => {
    // docker stop right after start: signals landing while node boots, workers fork or listen
    // once lost the signal (hang), crashed the primary (EPIPE) or ran into the shutdown timeout.
    // Each moment is an event of the startup: its lines, those of its modules loading, and the spawn before any.
    const loading = (module: string, by: 'primary' | 'worker') => (service: Service): Promise<unknown> => service.waitFor(
      (line) => line.msg === 'module loading' && line.module === module && (line.pid === service.child.pid) === (by === 'primary'),
      `${module} loading in a ${by}`,
    );
    const listening = (n: number) => (service: Service): Promise<unknown> => workersListening(service, n);
    const atSpawn = 'at spawn';
    const moments: [string, (service: Service) => Promise<unknown>][] = [
      [atSpawn, async () => undefined],
      ['while the primary loads its config', loading('./config', 'primary')],
      ['once the primary started', (service) => service.waitFor((line) => line.msg === 'primary started', 'primary started')],
      ['while a worker loads', loading('./worker', 'worker')],
      ['once one worker listens', listening(1)],
      ['once both workers listen', listening(2)],
    ];
    const outcomes: string[] = [];
    for (const [moment, reached] of moments) {
      const service = await start({ DATABASE_URL: '', ...markLoading });
      await reached(service);
      service.child.kill('SIGTERM');
      // Past the shutdown timeout, the primary would have exited 1 on its own: no exit by then is a hang.
      const timer = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), generous(shutdownTimeoutMs)).unref());
      const result = await Promise.race([service.exited, timer]);
      // Killed by the signal itself only at spawn: node may still boot, before index.ts installs its handler.
      const ok = result !== 'hang' && !timedOut(service) && (result.code === 0 || (result.signal === 'SIGTERM' && moment === atSpawn));
      if (!ok) outcomes.push(`${moment}: ${JSON.stringify(result)}`);
    }
    expect(outcomes).toEqual([]);
  });

  it('drains the in-flight request when the primary is killed, then the workers exit', async () => {
    const service = await start();
    const workers = await workersListening(service, 2);
    const request = partialPost(service.port, 'Outlives its primary');
    await once(request.request, 'continue');
    request.request.write(request.body.slice(0, 10));

    service.child.kill('SIGKILL');
    // Both workers have begun draining before the rest of the body is sent.
    await Promise.all(workers.map(({ workerPid }) => service.waitFor(
      (line) => line.msg === 'worker shutting down' && line.reason === 'primary disconnected' && line.pid === workerPid,
      `worker ${workerPid} draining`,
    )));
    request.request.end(request.body.slice(10));
    const answered = await request.response;
    expect(answered.status).toBe(201);
    expect(answered.json).toMatchObject({ title: 'Outlives its primary' });

    // Orphans would serve a port nobody supervises: each worker exits once drained, within the shutdown
    // timeout (or it is not draining at all). Not our children, they exit with no event of ours to wait on.
    await until(() => !workers.some((w) => alive(w.workerPid as number)), generous(shutdownTimeoutMs), 'every worker exited');
  });

  it('replaces a worker that dies unexpectedly', async () => {
    const service = await start();
    const [first] = await workersListening(service, 2);
    process.kill(first.workerPid as number, 'SIGKILL');

    await service.waitFor((line) => line.msg === 'worker died unexpectedly; replacing it' && line.workerPid === first.workerPid, 'replacement notice');
    const replacement = await service.waitFor(
      (line) => line.msg === 'worker listening' && service.lines.filter((l) => l.msg === 'worker listening').indexOf(line) === 2,
      'replacement listening',
    );
    expect(replacement.workerPid).not.toBe(first.workerPid);
    expect(await keepAliveGet(service.port, new http.Agent(), '/health')).toBe(200);

    service.child.kill('SIGINT');
    expect((await service.exited).code).toBe(0);
  });

  it('stops with exit 1 instead of a fork loop when workers cannot listen', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const service = await start({ PORT: String((blocker.address() as net.AddressInfo).port) });
      expect((await service.exited).code).toBe(1);
      expect(service.lines.some((l) => l.msg === 'worker failed to start; stopping')).toBe(true);
      expect(service.lines.filter((l) => l.msg === 'worker died unexpectedly; replacing it')).toHaveLength(0);
      // One line for the service, not one per worker.
      expect(service.stderr()).toMatch(/^startup error: \w+ EADDRINUSE[^\n]*\n$/);
      expect(service.lines.filter((l) => (l.level as number) >= 50)).toHaveLength(1);
    } finally {
      blocker.close();
    }
  });

  describe('with one worker (the pod\'s setting) the process serves itself: no primary, no fork', () => {
    const alone = { WEB_CONCURRENCY: '1' };

    it('listens in its own pid; on SIGTERM finishes the in-flight request, then exits 0', async () => {
      const service = await start(alone);
      const [listening] = await workersListening(service, 1);
      expect(listening.workerPid).toBe(service.child.pid);
      expect(service.lines.some((l) => l.msg === 'primary started')).toBe(false);

      const { request, body, response } = partialPost(service.port, 'Served alone');
      await once(request, 'continue');
      request.write(body.slice(0, 10));
      service.child.kill('SIGTERM');
      await service.waitFor((l) => l.msg === 'worker shutting down', 'shutting down');
      request.end(body.slice(10));

      expect(await response).toMatchObject({ status: 201, json: { title: 'Served alone' } });
      expect((await service.exited).code).toBe(0);
      expect(service.stderr()).toBe('');
    });

    it('exits 1 when a request outlives shutdownTimeoutMs: it holds the deadline the primary would', async () => {
      const service = await start(alone);
      await workersListening(service, 1);
      const stuck = await stuckPost(service.port);

      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      expect((await service.exited).code).toBe(1);
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(shutdownTimeoutMs);
      expect(service.lines.some((l) => l.msg === 'shutdown timed out; exiting')).toBe(true);
      stuck.destroy();
    });

    it('exits 1 with one stderr line when it cannot listen', async () => {
      const blocker = net.createServer().listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      try {
        const service = await start({ ...alone, PORT: String((blocker.address() as net.AddressInfo).port) });
        expect((await service.exited).code).toBe(1);
        expect(service.stderr()).toMatch(/^startup error: \w+ EADDRINUSE[^\n]*\n$/);
      } finally {
        blocker.close();
      }
    });
  });

  it('exits non-zero with one line and no workers when PORT is invalid', () => {
    const result = spawnSync(process.execPath, [entry], {
      cwd: '/',
      env: { PATH: process.env.PATH, PORT: 'notaport' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('config error: PORT must be an integer 1-65535, got "notaport"\n');
    expect(result.stdout).toBe('');
  });
});
