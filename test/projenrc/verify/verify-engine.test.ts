import { readFileSync } from 'fs';
import { join } from 'path';
import { buildImage, describeIfEngine, FIXTURE_DIR, labelledContainers, removeImages } from './engine-helpers';
import { failedIds, FIXTURE_PLAN, fixtureSpec } from './fixture';
import { planEntries } from '../../../packages/projen-container/src/container/check-plan';
import { connectEngine, Engine, newRunId, RUN_LABEL, RunScope } from '../../../packages/projen-container/src/engine';
import { Row } from '../../../packages/projen-container/src/verify/report';
import { verifyImage } from '../../../packages/projen-container/src/verify/verify';

/**
 * Proof that verify can fail: the good fixture image passes every row, and
 * each broken variant (one small layer on top of it) fails exactly the rows
 * about its defect and no other.
 */
const REPO = 'course-supporter-verify-fixture';
const TAGS = {
  good: `${REPO}:good`,
  root: `${REPO}:root`,
  devDep: `${REPO}:typescript`,
  stubborn: `${REPO}:ignores-sigterm`,
};
const ALL_IDS = planEntries(FIXTURE_PLAN).map(({ category, check }) => `${category}/${check.name}`);

describeIfEngine('verifyImage against fixture images', () => {
  const spec = fixtureSpec();
  let engine: Engine;

  async function verify(image: string, opts: { stopTimeoutS?: number; databaseUrl?: string } = {}): Promise<{ rows: Row[]; runId: string }> {
    const runId = newRunId();
    const rows = await verifyImage({ scope: new RunScope(engine, runId, image), spec, plan: spec.checks, timing: spec.healthcheck, ...opts });
    return { rows, runId };
  }
  const byId = (rows: Row[], id: string) => rows.find((r) => r.id === id);

  beforeAll(async () => {
    engine = await connectEngine(spec.engineHelp);
    buildImage(TAGS.good, readFileSync(join(FIXTURE_DIR, 'Dockerfile'), 'utf8'));
    buildImage(TAGS.root, `FROM ${TAGS.good}\nUSER root\n`);
    // typescript "left behind" by a build stage that copied all of node_modules.
    buildImage(TAGS.devDep, [
      `FROM ${TAGS.good}`,
      'COPY server.js node_modules/typescript/lib/tsc.js',
      'COPY config/default.json node_modules/typescript/package.json',
      'COPY server.js node_modules/.bin/tsc',
    ].join('\n'));
    buildImage(TAGS.stubborn, `FROM ${TAGS.good}\nCOPY stubborn.js lib/index.js\n`);
  }, 180_000);

  afterAll(() => removeImages(Object.values(TAGS)));

  test('this engine has no bridge, so containers are reached on the host network', () => {
    expect(engine.reach).toBe('host');
  });

  test('the good image passes every row, one per plan entry in plan order; only the database is skipped; no container is left', async () => {
    const { rows, runId } = await verify(TAGS.good);
    expect(rows.map((r) => r.id)).toEqual(ALL_IDS);
    expect(failedIds(rows)).toEqual([]);
    expect(rows.filter((r) => r.status === 'skip').map((r) => r.id)).toEqual(['runtime/database']);
    expect(byId(rows, 'commands/uid')?.measured).toBe('"10001"');
    expect(labelledContainers(`${RUN_LABEL}=${runId}`)).toEqual([]);
  });

  test('an image that runs as root fails the user metadata row and the whoami and uid commands only', async () => {
    const { rows } = await verify(TAGS.root);
    expect(failedIds(rows)).toEqual(['commands/uid', 'commands/whoami', 'metadata/user']);
    expect(byId(rows, 'commands/whoami')?.measured).toBe('"root"');
    expect(byId(rows, 'commands/uid')?.measured).toBe('"0"');
    expect(byId(rows, 'metadata/user')?.measured).toBe('USER root');
  });

  test('typescript in node_modules fails the dev-dependency and dev-binary rows only, naming them', async () => {
    const { rows } = await verify(TAGS.devDep);
    expect(failedIds(rows)).toEqual(['fileExistence/no-dev-binaries', 'fileExistence/no-dev-dependencies']);
    expect(byId(rows, 'fileExistence/no-dev-dependencies')?.measured).toBe('/app/node_modules/typescript');
    expect(byId(rows, 'fileExistence/no-dev-binaries')?.measured).toBe('/app/node_modules/.bin/tsc');
  });

  test('an app that ignores SIGTERM fails the stop row only (SIGKILL after the timeout)', async () => {
    // A 3 s stop timeout instead of 10 keeps the test quick; the verdict is the same.
    const { rows } = await verify(TAGS.stubborn, { stopTimeoutS: 3 });
    expect(failedIds(rows)).toEqual(['runtime/stop']);
    expect(byId(rows, 'runtime/stop')?.measured).toMatch(/^exit 137 \(SIGKILL after the 3 s timeout\) after 3\.\d\d s$/);
  });

  test('with a database: migrate exits 0 and health reports it ok; a wrong one fails that row only; passwords are hidden', async () => {
    const ok = await verify(TAGS.good, { databaseUrl: 'postgres://postgres:s3cret@127.0.0.1:5432/test' });
    expect(byId(ok.rows, 'runtime/database')).toMatchObject({ status: 'pass' });
    const down = await verify(TAGS.good, { databaseUrl: 'postgres://postgres:s3cret@127.0.0.1:1/test' });
    expect(failedIds(down.rows)).toEqual(['runtime/database']);
    expect(byId(down.rows, 'runtime/database')?.measured).toMatch(/^migrate exit 1: migrate: 127\.0\.0\.1:1: ECONNREFUSED; /);
    expect(JSON.stringify([...ok.rows, ...down.rows])).not.toContain('s3cret');
  });
});
