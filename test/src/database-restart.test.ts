import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import { describeWithPostgresServer, POSTGRES_SERVER_BIN, type PrivateCluster, startPrivateCluster } from './support/private-cluster';
import { alive, compileEntry, type Service, startService } from './support/service';
import { queryOnce, runMigrate } from './support/throwaway-database';
import { loadConfig } from '../../src/config';

// The whole service, as deployed, while its PostgreSQL restarts twice under concurrent writes (issue 29: every
// worker used to exit on the server's FATAL). Waits are bounded by the configuration, never by a guess of speed.
const config = loadConfig({});

interface Write {
  readonly seq: number;
  readonly title: string;
  status?: number;
  id?: string;
  retryAfter?: string;
  /** What the client saw instead of an answer (e.g. ECONNRESET): a failure reported to it, not an answer. */
  failure?: string;
}

/** Sends one write; settles with its answer or its failure, whichever the client sees, never both and never neither. */
function send(port: number, agent: http.Agent, write: Write): Promise<void> {
  return new Promise((resolve) => {
    const fail = (err: NodeJS.ErrnoException): void => {
      if (write.status === undefined) write.failure ??= err.code ?? err.message;
      resolve();
    };
    const request = http.request({
      host: '127.0.0.1',
      port,
      agent,
      method: 'POST',
      path: '/api/v1/courses',
      headers: { 'content-type': 'application/json' },
      // The server's own budget for a request: a write still unanswered past it is a failure, not a hang.
      timeout: config.requestTimeoutMs,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('error', fail).on('end', () => {
        write.status = res.statusCode;
        write.retryAfter = res.headers['retry-after'];
        if (res.statusCode === 201) write.id = (JSON.parse(text) as { id: string }).id;
        resolve();
      });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('no answer'), { code: 'CLIENT_TIMEOUT' })));
    request.on('error', fail);
    request.end(JSON.stringify({ title: write.title }));
  });
}

describeWithPostgresServer('PostgreSQL restarting under concurrent writes', () => {
  let cluster: PrivateCluster;
  const running: Service[] = [];

  beforeAll(async () => {
    compileEntry();
    cluster = await startPrivateCluster(POSTGRES_SERVER_BIN);
    expect((await runMigrate(['up'], { DATABASE_URL: cluster.url })).code).toBe(0);
  });
  afterEach(() => {
    for (const service of running.splice(0)) if (service.child.exitCode === null) service.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it.each([1, 2])('with %i worker(s): no process exits, every 201 is stored once, every other write is a 503 with Retry-After or a reported failure', async (workers) => {
    const startedAt = Date.now();
    const service = await startService({ DATABASE_URL: cluster.url, WEB_CONCURRENCY: String(workers) });
    running.push(service);
    const listening = await Promise.all(Array.from({ length: workers }, (_, i) => service.waitFor(
      (line) => line.msg === 'worker listening' && service.lines.filter((l) => l.msg === 'worker listening').indexOf(line) === i,
      `worker ${i + 1} listening`,
    )));
    const workerPids = listening.map((line) => line.workerPid as number);

    // Enough writers to keep every pooled connection of every worker inside a transaction.
    const writers = config.database.poolMax * workers;
    const agent = new http.Agent({ keepAlive: true, maxSockets: writers });
    const writes: Write[] = [];
    const answered = new EventEmitter();
    // Stopped once both restarts are behind it, or a bounded wait for them has failed.
    let stopping = false;
    const load = Promise.all(Array.from({ length: writers }, async () => {
      while (!stopping) {
        const write: Write = { seq: writes.length, title: `restart, ${workers} worker(s), write ${writes.length}` };
        writes.push(write);
        await send(service.port, agent, write);
        answered.emit('write', write);
      }
    }));

    /** Resolves once `count` writes from the `first`th on are answered 201; rejects if one takes longer than a request's budget, or the service exits. */
    const writesStored = (first: number, what: string, count = 1): Promise<void> => new Promise((resolve, reject) => {
      let awaited = count;
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        answered.off('write', onWrite);
        if (err) reject(err); else resolve();
      };
      const timeout = (): NodeJS.Timeout => setTimeout(() => settle(new Error(`no more writes sent after ${what} were answered 201 within requestTimeoutMs (${config.requestTimeoutMs} ms); ${awaited} of ${count} to go`)), config.requestTimeoutMs);
      let timer = timeout();
      const onWrite = (write: Write): void => {
        if (write.seq < first || write.status !== 201) return;
        if (--awaited === 0) return settle();
        clearTimeout(timer);
        timer = timeout();
      };
      answered.on('write', onWrite);
      void service.exited.then(({ code, signal }) => settle(new Error(`the service exited (${code ?? signal}) before a write sent after ${what} was stored; stderr: ${service.stderr()}`)));
    });

    const restarts: { from: number; to: number }[] = [];
    try {
      // Warm: as many writes stored as there are writers, so the pools hold open connections for the restarts to cut.
      await writesStored(0, 'the start', writers);
      for (const n of [1, 2]) {
        const from = writes.length;
        await cluster.restart();
        const to = writes.length;
        restarts.push({ from, to });
        await writesStored(to, `restart ${n}`);
      }
    } finally {
      stopping = true;
      await load;
      agent.destroy();
    }

    // No process exited: the service, and the very workers that first listened (a replacement would listen anew).
    if (service.stderr()) process.stdout.write(`service stderr:\n${service.stderr()}\n`);
    expect({ exitCode: service.child.exitCode, signal: service.child.signalCode }).toEqual({ exitCode: null, signal: null });
    expect(service.lines.filter((l) => l.msg === 'worker died unexpectedly; replacing it')).toEqual([]);
    expect(service.lines.filter((l) => l.msg === 'worker listening').map((l) => l.workerPid)).toEqual(workerPids);
    expect(workerPids.filter((pid) => !alive(pid))).toEqual([]);

    // Every write has an outcome the client saw: an answer, or its failure.
    const created = writes.filter((w) => w.status === 201);
    const unavailable = writes.filter((w) => w.status === 503);
    const failed = writes.filter((w) => w.status === undefined);
    expect(failed.filter((w) => w.failure === undefined)).toEqual([]);
    expect(writes.filter((w) => w.status !== undefined && w.status !== 201 && w.status !== 503)).toEqual([]);
    expect(unavailable.filter((w) => !/^\d+$/.test(w.retryAfter ?? ''))).toEqual([]);
    // Each restart happened under load: writes sent while it ran were turned away.
    for (const { from, to } of restarts) expect(unavailable.some((w) => w.seq >= from && w.seq < to)).toBe(true);

    // Every 201 is in the table exactly once, under the id it was answered with.
    const rows = await queryOnce<{ id: string; title: string }>(cluster.url, 'SELECT id, title FROM courses');
    const stored = new Map<string, string[]>();
    for (const row of rows) stored.set(row.title, [...(stored.get(row.title) ?? []), row.id]);
    expect(created.filter((w) => stored.get(w.title)?.join() !== w.id)).toEqual([]);

    // A 503 can be answered for a write whose COMMIT the server applied before the restart cut the answer off.
    const committedAnyway = unavailable.filter((w) => stored.has(w.title)).length;
    const failures = failed.map((w) => w.failure).join(', ') || 'none';
    process.stdout.write(`${workers} worker(s): ${writes.length} writes, ${created.length} answered 201, ${unavailable.length} answered 503 `
      + `(${committedAnyway} of them committed), ${failed.length} failed at the client (${failures}); ${Date.now() - startedAt} ms\n`);

    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});
