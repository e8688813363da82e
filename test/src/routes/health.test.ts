import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app';
import type { Database } from '../../../src/database';
import { fakeDatabase } from '../support/fake-database';
import { inject } from '../support/http';
import { repoPrompts, testConfig } from '../support/test-config';

const prompts = repoPrompts();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function appWith(db: Database | undefined, config = testConfig()): FastifyInstance {
  const app = buildApp({ config, prompts, db, version: '1.2.3', logger: false });
  apps.push(app);
  return app;
}

describe('GET <healthPath>', () => {
  it('is ok with db "ok" when the probe answers', async () => {
    const response = await inject(appWith(fakeDatabase()), { method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({ status: 'ok', checks: { db: 'ok' }, version: '1.2.3', timestamp: expect.any(String) });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
  });

  it('is ok with db "disabled" without a database', async () => {
    const response = await inject(appWith(undefined), { method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', checks: { db: 'disabled' } });
  });

  it('is degraded (503) naming a reason code, never the host, when the probe fails', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' });
    const db = fakeDatabase({ probe: async () => { throw refused; } });
    const response = await inject(appWith(db), { method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'degraded',
      checks: { db: 'unavailable' },
      errors: { db: 'refused' },
      version: '1.2.3',
      timestamp: expect.any(String),
    });
    expect(response.body).not.toContain('10.1.2.3');
  });

  it('answers degraded after probeTimeoutMs when the probe hangs', async () => {
    const db = fakeDatabase({ probe: () => new Promise<void>(() => undefined) });
    const app = appWith(db, testConfig({ database: { ...testConfig().database, probeTimeoutMs: 50 } }));
    const response = await inject(app, { method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ checks: { db: 'unavailable' }, errors: { db: 'timeout' } });
  });

  it('needs no probe while pooled queries are answering, and probes once they stop', async () => {
    let answering = true;
    const db = fakeDatabase({
      answeredWithin: () => answering,
      probe: jest.fn(async () => { throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }); }),
    });
    const app = appWith(db, testConfig({ database: { ...testConfig().database, probeWindowMs: 1 } }));
    expect((await inject(app, { method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(db.probe).not.toHaveBeenCalled();
    answering = false;
    expect((await inject(app, { method: 'GET', url: '/health' })).statusCode).toBe(503);
    expect(db.probe).toHaveBeenCalledTimes(1);
  });

  it('shares one probe among concurrent requests', async () => {
    const requests = 20;
    let finish: () => void = () => undefined;
    // Every request asks whether pooled traffic answered, then joins the probe: once all have asked, all are waiting on it.
    let asked = 0;
    let allAsked: () => void = () => undefined;
    const joined = new Promise<void>((resolve) => { allAsked = resolve; });
    const db = fakeDatabase({
      answeredWithin: () => {
        if (++asked === requests) allAsked();
        return false;
      },
      probe: jest.fn(() => new Promise<void>((resolve) => { finish = resolve; })),
    });
    const app = appWith(db);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const answers = Promise.all(Array.from({ length: requests }, () => inject(app, { method: 'GET', url: '/health' })));
    await joined;
    finish();
    expect((await answers).map((r) => r.statusCode)).toEqual(Array(requests).fill(200));
    expect(db.probe).toHaveBeenCalledTimes(1);
  });

  it('is routed at the configured healthPath only', async () => {
    const app = appWith(undefined, testConfig({ healthPath: '/livez' }));
    expect((await inject(app, { method: 'GET', url: '/livez' })).statusCode).toBe(200);
    expect((await inject(app, { method: 'GET', url: '/health' })).statusCode).toBe(404);
  });
});
