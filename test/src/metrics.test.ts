import type { FastifyInstance } from 'fastify';
import { fakeDatabase } from './support/fake-database';
import { inject } from './support/http';
import { compileEntry, type Service, startService, workersListening } from './support/service';
import { repoPrompts, testConfig } from './support/test-config';
import { buildApp } from '../../src/app';

interface Sample { name: string; labels: Record<string, string>; value: number }

/**
 * Parses the Prometheus text exposition format strictly: every line is a HELP, a TYPE or a sample,
 * and every sample belongs to a family whose TYPE came first. Throws naming the first bad line.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  // Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case). prom-client writes an
  // empty summary, such as the event-loop lag scraped before its first sample, as `Nan`.
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|[+-][Ii][Nn][Ff])( -?\d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const match = sample.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const [, name, labelText = '', value] = match;
    const family = [...types.keys()].find((f) => name === f || /^_(bucket|sum|count|total|created)$/.test(name.slice(f.length)) && name.startsWith(f));
    if (!family) throw new Error(`sample without a TYPE: ${JSON.stringify(line)}`);
    const labels = Object.fromEntries([...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]));
    samples.push({ name, labels, value: Number(value) });
  }
  return { types, samples };
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('GET <metricsPath>', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('answers the Prometheus text format with requests by route template, method and status, in flight, the pool, process and event loop', async () => {
    const db = fakeDatabase({ poolStats: () => ({ total: 4, idle: 3, waiting: 1 }) });
    const app = buildApp({ config: testConfig(), prompts: repoPrompts(), db, version: '0.0.0', logger: false });
    apps.push(app);
    for (const url of ['/api/v1/prompts/quiz-generation', '/api/v1/prompts/lesson-summary', '/api/v1/prompts/nope', '/nowhere/1', '/nowhere/2']) {
      await inject(app, { method: 'GET', url });
    }
    const response = await inject(app, { method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { types, samples } = parseExposition(response.body);

    expect(types.get('http_requests_total')).toBe('counter');
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    // By template, not URL: two templates' series, however many names or unknown URLs were asked.
    const byRoute = find(samples, 'http_requests_total').map((s) => [s.labels.route, s.labels.method, s.labels.status_code, s.value]);
    expect(byRoute).toEqual(expect.arrayContaining([
      ['/api/v1/prompts/:name', 'GET', '200', 2],
      ['/api/v1/prompts/:name', 'GET', '404', 1],
      ['unmatched', 'GET', '404', 2],
    ]));
    expect(find(samples, 'http_request_duration_seconds_count', { route: '/api/v1/prompts/:name', status_code: '200' })[0].value).toBe(2);
    expect(find(samples, 'http_request_duration_seconds_bucket', { route: '/api/v1/prompts/:name', status_code: '200', le: '+Inf' })[0].value).toBe(2);
    // The scrape itself is in flight while it is answered; nothing else is.
    expect(find(samples, 'http_requests_in_flight')[0].value).toBe(1);
    expect(find(samples, 'db_pool_connections').map((s) => [s.labels.state, s.value])).toEqual([['total', 4], ['idle', 3], ['waiting', 1]]);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect({ name, found: find(samples, name).length > 0 }).toEqual({ name, found: true });
    }
  });

  it('keeps probes and scrapes out of the info log', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (line: string) => lines.push(JSON.parse(line)) };
    const app = buildApp({ config: testConfig(), prompts: repoPrompts(), version: '0.0.0', logger: { level: 'info', stream } });
    apps.push(app);
    for (const url of ['/metrics', '/health', '/health/live', '/api/v1/prompts']) await inject(app, { method: 'GET', url });
    expect(lines.filter((l) => l.msg === 'request completed').map((l) => l.url)).toEqual(['/api/v1/prompts']);
  });
});

describe('GET <metricsPath> of the cluster', () => {
  let service: Service | undefined;
  beforeAll(() => compileEntry());
  afterAll(() => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
  });

  it('sums every worker\'s figures, whichever worker answers the scrape', async () => {
    service = await startService({ DATABASE_URL: '', WEB_CONCURRENCY: '2' });
    const workers = await workersListening(service, 2);
    const requests = 40;
    // New connections each time: the cluster spreads them over both workers.
    for (let i = 0; i < requests; i++) await fetch(`http://127.0.0.1:${service.port}/api/v1/prompts`, { headers: { connection: 'close' } });
    const served = new Set(service.lines.filter((l) => l.msg === 'request completed').map((l) => l.pid));
    expect(served.size).toBe(2);
    for (let scrape = 0; scrape < 4; scrape++) {
      const text = await (await fetch(`http://127.0.0.1:${service.port}/metrics`, { headers: { connection: 'close' } })).text();
      const { samples } = parseExposition(text);
      expect(find(samples, 'http_requests_total', { route: '/api/v1/prompts', status_code: '200' })[0].value).toBe(requests);
    }
    expect(workers).toHaveLength(2);
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});
