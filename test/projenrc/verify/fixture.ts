import type { CheckPlan } from '../../../packages/projen-container/src/container/check-plan';
import type { ResolvedContainer } from '../../../packages/projen-container/src/container/resolved-container';
import type { FileFacts, Target } from '../../../packages/projen-container/src/verify/categories/file-probe';
import type { Row } from '../../../packages/projen-container/src/verify/report';

const APP = '/app';
const DEV_BINS = ['jest', 'ts-node', 'ts-node-cwd', 'ts-node-esm', 'ts-script', 'tsc', 'tsserver'];

/**
 * The plan the construct derives for the fixture image, written out by hand:
 * the tests must not depend on the construct's derivation, only on the plan
 * format.
 */
export const FIXTURE_PLAN: CheckPlan = {
  commands: [
    { name: 'whoami', title: '`whoami` prints app', command: ['whoami'], expectedOutput: 'app' },
    { name: 'uid', title: 'the default user\'s uid is 10001, not 0', command: ['node', '-p', 'process.getuid()'], expectedOutput: '10001' },
  ],
  fileExistence: [
    { name: 'assets', title: 'the declared runtime assets ship', shouldExist: true, paths: [`${APP}/config`] },
    { name: 'entrypoint', title: 'the compiled entry point ships', shouldExist: true, kind: 'file', paths: [`${APP}/lib/index.js`] },
    {
      name: 'no-dev-dependencies',
      title: 'no devDependency is installed',
      shouldExist: false,
      paths: ['typescript', '@types/node', 'jest', 'ts-node'].map((d) => `${APP}/node_modules/${d}`),
    },
    {
      name: 'no-dev-binaries',
      title: 'no devDependency\'s executable is installed or on PATH',
      shouldExist: false,
      paths: DEV_BINS.map((b) => `${APP}/node_modules/.bin/${b}`),
      commands: DEV_BINS,
    },
    {
      name: 'no-package-managers',
      title: 'no package manager: the runtime needs node only',
      shouldExist: false,
      paths: ['/usr/local/lib/node_modules/npm'],
      commands: ['npm', 'npx', 'corepack', 'yarn'],
    },
    { name: 'no-caches', title: 'no npm cache of any user, no tool cache', shouldExist: false, paths: ['~/.npm', `${APP}/node_modules/.cache`] },
    {
      name: 'no-build-inputs',
      title: 'no sources, tests, compiler or projen config',
      shouldExist: false,
      paths: ['src', 'test', 'projenrc', '.projenrc.ts', 'tsconfig.json', 'coverage'].map((p) => `${APP}/${p}`),
    },
    { name: 'no-secrets-or-vcs', title: 'no .env file or .git folder anywhere in the app', shouldExist: false, paths: [`${APP}/**/.env*`, `${APP}/**/.git`] },
  ],
  metadata: [
    { name: 'exposed-port', title: 'EXPOSE 8000', field: 'exposedPort', port: 8000 },
    { name: 'exec-cmd', title: 'exec-form CMD: node is PID 1 and receives SIGTERM', field: 'cmd', cmd: ['node', 'lib/index.js'] },
    { name: 'env', title: 'the runtime environment', field: 'env', env: { NODE_ENV: 'production', PORT: '8000' } },
    { name: 'user', title: 'a numeric non-root USER, so runAsNonRoot can verify it', field: 'user', user: '10001:10001' },
    { name: 'labels', title: 'the OCI labels are set', field: 'labels', keys: ['org.opencontainers.image.title', 'org.opencontainers.image.source'] },
    { name: 'no-secret-env', title: 'no ENV key that looks like a secret', field: 'noSecretEnv', pattern: 'PASS|SECRET|KEY|TOKEN|ACCESS' },
    { name: 'healthcheck', title: 'a HEALTHCHECK with the declared timing', field: 'healthcheck', timing: { intervalS: 30, timeoutS: 3, startPeriodS: 5, retries: 3 } },
    { name: 'size', title: 'at most 250 MB uncompressed', field: 'size', maxMb: 250 },
  ],
  runtime: [
    { name: 'healthy', title: 'its HEALTHCHECK turns healthy and GET /health answers 200', kind: 'healthy', path: '/health' },
    {
      name: 'hardened',
      title: 'the same as uid 4242:4242, read-only root with tmpfs /tmp, capabilities ALL dropped, no-new-privileges',
      kind: 'hardened',
      path: '/health',
      profile: { user: '4242:4242', readOnlyRootFilesystem: true, tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' }, capDrop: ['ALL'], noNewPrivileges: true },
    },
    { name: 'stop', title: 'docker stop exits 0 within 2 s', kind: 'stop', limitMs: 2000 },
    {
      name: 'database',
      title: 'with VERIFY_DATABASE_URL: `node scripts/migrate.js up` exits 0, then GET /health reports the database ok',
      kind: 'database',
      command: ['node', 'scripts/migrate.js', 'up'],
      path: '/health',
    },
  ],
};

/** The resolved declaration of the image in ./fixture-image. Tests never read `.projen/container.json`: it belongs to the construct. */
export function fixtureSpec(checks: CheckPlan = FIXTURE_PLAN): ResolvedContainer {
  return {
    imageName: 'course-supporter-verify-fixture',
    version: 'good',
    title: 'verify fixture',
    sourceUrl: 'https://example.invalid/fixture',
    user: 'app',
    uid: 10001,
    gid: 10001,
    port: 8000,
    workers: 1,
    healthPath: '/health',
    metricsPath: '/metrics',
    sizeBudgetMb: 250,
    shutdownTimeoutMs: 3000,
    workdir: APP,
    entrypoint: 'lib/index.js',
    cmd: ['node', 'lib/index.js'],
    database: { engine: 'postgres' },
    migrateCommand: ['node', 'scripts/migrate.js', 'up'],
    srcdir: 'src',
    libdir: 'lib',
    tsconfigFile: 'tsconfig.json',
    packageManager: { name: 'npm', lockFile: 'package-lock.json', install: 'npm ci' },
    buildOnlyPaths: ['test', '.projenrc.ts', 'projenrc', 'coverage'],
    assets: ['config'],
    bundle: { entries: [{ source: 'src/index.ts', output: 'lib/index.js' }], noticesFile: 'THIRD-PARTY-NOTICES', manifestsDir: 'bundled-packages', noticesScript: '.projen/third-party-notices.cjs' },
    env: { NODE_ENV: 'production', PORT: '8000' },
    labels: { 'org.opencontainers.image.title': 'verify fixture', 'org.opencontainers.image.source': 'https://example.invalid/fixture' },
    devDependencies: { 'typescript': ['tsc', 'tsserver'], '@types/node': [], 'jest': ['jest'], 'ts-node': ['ts-node', 'ts-node-cwd', 'ts-node-esm', 'ts-script'] },
    baseImages: { build: 'node:24-trixie-slim', runtime: 'debian:trixie-slim' },
    runtime: 'debian',
    engineHelp: 'start the fixture\'s engine',
    nodeMajor: 24,
    platforms: ['linux/amd64'],
    debianPackages: [],
    healthcheck: { intervalS: 30, timeoutS: 3, startPeriodS: 5, retries: 3 },
    hardened: FIXTURE_PLAN.runtime.flatMap((r) => (r.kind === 'hardened' ? [r.profile] : []))[0],
    stopLimitMs: 2000,
    checks,
  };
}

/** File facts of a clean image for every fixture pattern; tests add one defect at a time. */
export function cleanFiles(defects: Record<string, Target['matches']> = {}, commands: Record<string, string> = {}): FileFacts {
  const patterns = FIXTURE_PLAN.fileExistence.flatMap((c) => c.paths);
  const present: Record<string, Target['matches']> = {
    [`${APP}/config`]: [{ path: `${APP}/config`, kind: 'dir' }],
    [`${APP}/lib/index.js`]: [{ path: `${APP}/lib/index.js`, kind: 'file' }],
  };
  const target = (pattern: string): Target => ({ pattern, matches: defects[pattern] ?? present[pattern] ?? [], truncated: false });
  return {
    targets: Object.fromEntries(patterns.map((p) => [p, p.startsWith('~/') ? ['/root', '/home/app'].map((h) => target(h + p.slice(1))) : [target(p)]])),
    commands: Object.fromEntries(FIXTURE_PLAN.fileExistence.flatMap((c) => c.commands ?? []).map((c) => [c, commands[c] ?? null])),
  };
}

/** Ids of the failed rows, sorted: "rejected by exactly the right checks" in one value. */
export function failedIds(rows: readonly Row[]): string[] {
  return rows.filter((r) => r.status === 'fail').map((r) => r.id).sort();
}
