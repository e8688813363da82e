import { readFileSync } from 'fs';
import { join } from 'path';
import Docker from 'dockerode';
import { buildImage, describeIfEngine, FIXTURE_DIR, labelledContainers, removeImages } from './engine-helpers';
import { failedChecks, fixtureSpec } from './fixture';
import { newRunId, RUN_LABEL } from '../../../projenrc/verify/containers';
import { freePorts } from '../../../projenrc/verify/ports';
import { Row } from '../../../projenrc/verify/report';
import { verifyImage } from '../../../projenrc/verify/verify';

/**
 * Proof that verify can fail: a good fixture image passes, and each broken
 * variant (one small layer on top of it) is rejected by the check that is
 * about its defect and by no other.
 */
const REPO = 'course-supporter-verify-fixture';
const TAGS = {
  good: `${REPO}:good`,
  root: `${REPO}:root`,
  devDep: `${REPO}:typescript`,
  stubborn: `${REPO}:ignores-sigterm`,
};

describeIfEngine('verifyImage against fixture images', () => {
  const docker = new Docker();
  const spec = fixtureSpec();
  const projectRoot = join(__dirname, '..', '..', '..');

  async function verify(image: string, stopTimeoutS?: number): Promise<{ rows: Row[]; runId: string }> {
    const [health, hardened, database] = await freePorts(3);
    const runId = newRunId();
    const rows = await verifyImage({ docker, spec, image, runId, projectRoot, stopTimeoutS, ports: { health, hardened, database } });
    return { rows, runId };
  }

  beforeAll(() => {
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

  test('the good image passes every check, only the database check is skipped, and no container is left', async () => {
    const { rows, runId } = await verify(TAGS.good);
    expect(failedChecks(rows)).toEqual([]);
    expect(rows.filter((r) => r.status === 'skip').map((r) => r.id)).toEqual(['10']);
    expect(rows.map((r) => r.id.replace(/[a-z]$/, ''))).toEqual(expect.arrayContaining(['2', '3', '4', '5', '6', '7', '8', '9', '10']));
    expect(labelledContainers(`${RUN_LABEL}=${runId}`)).toEqual([]);
  });

  test('an image that runs as root is rejected by check 2 only', async () => {
    const { rows } = await verify(TAGS.root);
    expect(failedChecks(rows)).toEqual(['2']);
    expect(rows.find((r) => r.id === '2a')?.measured).toBe('whoami: root');
    expect(rows.find((r) => r.id === '2c')?.measured).toBe('id -u: 0');
  });

  test('an image with typescript in node_modules is rejected by check 4 only, naming it', async () => {
    const { rows } = await verify(TAGS.devDep);
    expect(failedChecks(rows)).toEqual(['4']);
    expect(rows.find((r) => r.id === '4a')?.measured).toBe('typescript');
    expect(rows.find((r) => r.id === '4b')?.measured).toBe('tsc');
  });

  test('an app that ignores SIGTERM is rejected by check 8 only (SIGKILL after the timeout)', async () => {
    // A 3 s stop timeout instead of 10 keeps the test quick; the verdict is the same.
    const { rows } = await verify(TAGS.stubborn, 3);
    expect(failedChecks(rows)).toEqual(['8']);
    expect(rows.find((r) => r.id === '8')?.measured).toMatch(/^exit 137 \(SIGKILL after timeout\) after 3\.\d\d s$/);
  });
});
