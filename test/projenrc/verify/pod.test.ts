import type { PodRunSettings } from '../../../packages/projen-container/src/container/pod-run-settings';
import { HeapFill, judgePod, kustomize, PodFacts } from '../../../packages/projen-container/src/verify/categories/pod';

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

describe('judgePod, for a pod with a memory limit', () => {
  const limited = (heap?: HeapFill | Error): PodFacts => ({
    ...outage(200), settings: { ...SETTINGS, memoryLimitMiB: 256 }, ...(heap ? { heap } : {}),
  });
  const v8Stopped: HeapFill = { limitMiB: 195, oomKilled: false, v8OutOfMemory: true, exitCode: 139 };

  test('passes a heap filled to V8\'s limit below the memory limit that V8 stopped, and says so', () => {
    expect(judgePod(AT, limited(v8Stopped), '/health')).toMatchObject({
      status: 'pass',
      measured: expect.stringMatching(/; heap filled to V8's 195 MiB limit in 256 MiB: V8's heap out of memory \(exit 139\)$/),
    });
  });

  test.each([
    // Node 24's own choice in a 256 MiB container: the kernel, not V8, meets the pressure.
    ['a heap the kernel killed at the memory limit', limited({ limitMiB: 259, oomKilled: true, v8OutOfMemory: false, exitCode: 137 })],
    ['a V8 limit above the memory limit, even if V8 stopped first', limited({ ...v8Stopped, limitMiB: 259 })],
    ['an end without V8\'s heap out of memory', limited({ ...v8Stopped, v8OutOfMemory: false, exitCode: 1 })],
    ['a heap that could not be filled', limited(new Error('node printed no heap limit'))],
    ['no heap filled', limited()],
  ])('fails %s', (_name, facts) => {
    expect(judgePod(AT, facts, '/health').status).toBe('fail');
  });

  // Measured under QEMU on arm64: V8's limit 195 MiB, yet the kernel's kill, the emulator's memory counting against 256 MiB.
  const emulatorKilled = limited({ ...v8Stopped, oomKilled: true, v8OutOfMemory: false, exitCode: 137 });

  test('emulated, judges only V8\'s limit: the emulator shares the memory limit, so the kernel may end the fill first', () => {
    expect(judgePod(AT, emulatorKilled, '/health', true)).toMatchObject({
      status: 'pass',
      measured: expect.stringMatching(/OOM-killed by the kernel \(exit 137\), emulated: only the limit is judged$/),
    });
    expect(judgePod(AT, limited({ ...v8Stopped, limitMiB: 259 }), '/health', true).status).toBe('fail');
    expect(judgePod(AT, emulatorKilled, '/health').status).toBe('fail');
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

  test('without kubectl on PATH it says so, and where to get it', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => kustomize('deploy/kubernetes/overlays/production'))
        .toThrow('kubectl not found on PATH: the pod check renders deploy/kubernetes/overlays/production with `kubectl kustomize`; '
          + 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or put it on PATH');
    } finally {
      process.env.PATH = path;
    }
  });
});
