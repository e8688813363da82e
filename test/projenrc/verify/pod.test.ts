import type { PodRunSettings } from '../../../packages/projen-container/src/container/pod-run-settings';
import { judgePod, kustomize, PodFacts } from '../../../packages/projen-container/src/verify/categories/pod';

const AT = { id: 'runtime/pod', title: 't', expected: 'e' };
const SETTINGS: PodRunSettings = {
  user: 10001,
  groupId: 10001,
  readOnlyRootFilesystem: true,
  tmpfsPaths: ['/tmp'],
  capDrop: ['ALL'],
  noNewPrivileges: true,
  env: { PORT: '8000', WEB_CONCURRENCY: '1' },
  secretEnv: ['DATABASE_URL'],
  probes: [
    { kind: 'startup', path: '/health/live', port: 8000 },
    { kind: 'readiness', path: '/health/live', port: 8000 },
    { kind: 'liveness', path: '/health/live', port: 8000 },
  ],
  terminationGracePeriodSeconds: 10,
};
const answer = (status: number) => ({ status, body: '' });
const outage = (readiness: number, liveness = 200): PodFacts => ({
  settings: SETTINGS,
  probes: [
    { probe: SETTINGS.probes[0], answer: answer(200) },
    { probe: SETTINGS.probes[1], answer: answer(readiness) },
    { probe: SETTINGS.probes[2], answer: answer(liveness) },
  ],
  stop: { exitCode: 0, elapsedMs: 400 },
});

describe('judgePod', () => {
  test('during a database outage: alive and ready (startup, readiness, liveness 200), stopped cleanly in the grace period', () => {
    expect(judgePod(AT, outage(200), '/health')).toMatchObject({
      status: 'pass',
      measured: 'startup /health/live → 200; readiness /health/live → 200; liveness /health/live → 200; stop: exit 0 after 0.40 s of 10 s',
    });
  });

  test.each([
    // docs/decisions/0005: an outage every pod shares must not empty the Service.
    ['readiness that fails with the database', outage(503)],
    ['liveness that fails with the database', outage(200, 503)],
    ['a stop past the grace period', { ...outage(200), stop: { exitCode: 0, elapsedMs: 10_500 } }],
    ['a stop that ended in SIGKILL', { ...outage(200), stop: { exitCode: 137, elapsedMs: 10_000 } }],
    ['a probe on another port than the app', { ...outage(200), settings: { ...SETTINGS, env: { PORT: '9000' } } }],
    ['no probes at all', { ...outage(200), probes: [] }],
  ])('fails %s', (_name, facts) => {
    expect(judgePod(AT, facts as PodFacts, '/health').status).toBe('fail');
  });
});

describe('judgePod, for a project whose readiness asks the path that follows the database', () => {
  const settings = { ...SETTINGS, probes: [SETTINGS.probes[0], { ...SETTINGS.probes[1], path: '/health' }, SETTINGS.probes[2]] };
  const facts = (readiness: number): PodFacts => ({
    ...outage(readiness),
    settings,
    probes: outage(readiness).probes.map((p, i) => ({ ...p, probe: settings.probes[i] })),
  });

  test('expects 503 from that probe during an outage', () => {
    expect(judgePod(AT, facts(503), '/health').status).toBe('pass');
  });

  test('fails a 200 there: the probe would not follow the database it declares', () => {
    expect(judgePod(AT, facts(200), '/health').status).toBe('fail');
  });
});

describe('kustomize', () => {
  test('a folder kubectl cannot render is one line naming the folder and kubectl\'s reason', () => {
    expect(() => kustomize('/nonexistent/overlay')).toThrow(/^kubectl kustomize \/nonexistent\/overlay failed: .*\S$/);
  });

  test('without kubectl on PATH it says so, and what to install', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => kustomize('deploy/kubernetes/overlays/production'))
        .toThrow('kubectl not found on PATH: the pod check renders deploy/kubernetes/overlays/production with `kubectl kustomize`; install kubectl');
    } finally {
      process.env.PATH = path;
    }
  });
});
