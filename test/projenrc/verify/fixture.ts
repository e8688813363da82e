import { forbiddenPaths } from '../../../projenrc/container/image-recipe';
import { VerifySpec } from '../../../projenrc/verify/load-spec';
import { ProbeFacts } from '../../../projenrc/verify/probe';

/**
 * A spec shaped like the one the construct synthesizes, for the fixture
 * image in ./fixture-image (and for pure judging tests). Tests never read
 * `.projen/container.json`: it belongs to the construct.
 */
export function fixtureSpec(overrides: Partial<VerifySpec> = {}): VerifySpec {
  return {
    imageName: 'course-supporter-verify-fixture',
    version: 'good',
    user: 'app',
    uid: 10001,
    gid: 10001,
    port: 8000,
    healthPath: '/health',
    workers: 1,
    sizeBudgetMb: 250,
    workdir: '/app',
    entrypoint: 'lib/index.js',
    cmd: ['node', 'lib/index.js'],
    assets: ['config'],
    devDependencies: ['typescript', '@types/node', 'jest', 'ts-node'],
    baseImages: { build: 'node:24-trixie-slim', runtime: 'debian:trixie-slim' },
    npmInRuntime: false,
    env: { NODE_ENV: 'production', PORT: '8000' },
    labels: ['org.opencontainers.image.title', 'org.opencontainers.image.source'],
    healthcheck: { intervalS: 30, timeoutS: 3, startPeriodS: 5, retries: 3 },
    forbiddenPaths: forbiddenPaths({ srcdir: 'src', tsconfigFile: 'tsconfig.json' }),
    forbiddenAbsolutePaths: ['/root/.npm', '/usr/local/lib/node_modules/npm'],
    ...overrides,
  };
}

/** Bins of the fixture spec's devDependencies, as dev-bins.ts would read them on the host. */
export const FIXTURE_BINS: Record<string, string[]> = {
  'typescript': ['tsc', 'tsserver'],
  '@types/node': [],
  'jest': ['jest'],
  'ts-node': ['ts-node', 'ts-script'],
};

/** Probe facts of a clean image; tests add one defect at a time. */
export function cleanFacts(overrides: Partial<ProbeFacts> = {}): ProbeFacts {
  return {
    kinds: { '/app/config': 'dir', '/app/lib/index.js': 'file' },
    homeHits: [],
    binEntries: null,
    onPath: {},
    walk: { envFiles: [], gitDirs: [], srcTs: [], entries: 12 },
    ...overrides,
  };
}

/** Check numbers (`'4'` for rows 4a-4g) that failed, sorted: "rejected by the RIGHT check" in one value. */
export function failedChecks(rows: readonly { id: string; status: string }[]): string[] {
  return [...new Set(rows.filter((r) => r.status === 'fail').map((r) => r.id.replace(/[a-z]$/, '')))].sort();
}
