/**
 * Every parameter and threshold of the bench that the container spec does
 * not declare, in one place. Thresholds the spec's check plan declares
 * (the size budget, the stop limit) are read from `.projen/container.json`
 * instead: verify enforces the same values.
 * Each value lands in the results object, and the report prints it from there.
 */
import { POSTGRES_PORT } from '../packages/projen-container/src';

/** Samples per measure (BENCH_RUNS overrides all of them). */
export const RUNS = { build: 3, start: 5, load: 2, synth: 5 } as const;

/** HTTP load: autocannon connections, seconds measured, seconds of warm-up before (BENCH_DURATION overrides `durationS`). */
export const LOAD = { connections: 50, durationS: 10, warmupS: 2 } as const;

/** Fair throughput: the server's container and the load generator on separate CPUs. */
export const CPUS = { server: '1', load: '0' } as const;

/** Issue 5: a warm rebuild after a one-line source edit takes at most this share of a cold build. */
export const WARM_OVER_COLD_MAX = 0.15;

/** Issue 17: `docker run` → first 200 with the default workers, at most this multiple of a bare node:http server's (same image, same workers). */
export const START_RATIO_MAX = 1.5;

/** Issue 17: the same with one worker, the pod's setting (no cluster primary), beside a one-process bare server. */
export const START_ONE_WORKER_RATIO_MAX = 1.2;

/** Issue 17: requests/s on the readiness path without a database, at least this share of the bare server's, same process model and CPUs. */
export const HEALTH_THROUGHPUT_RATIO_MIN = 0.85;

/** Issue 17: requests/s on the liveness path, at least this share of the bare server's. */
export const LIVENESS_THROUGHPUT_RATIO_MIN = 0.9;

/** Issue 17: the image at the node floor, uncompressed and gzipped (`docker save | gzip`, about what a registry stores); the verify budget is the spec's. */
export const IMAGE_GOAL_MB = 120;
export const IMAGE_GZIP_GOAL_MB = 42;

/** Issue 17: the mixed load with PostgreSQL, at least this multiple of the docker-init packaging of the same app. */
export const MIXED_RATIO_MIN = 1.2;

/** Issue 17: a cold build at most this multiple of the docker-init packaging's. */
export const COLD_BUILD_RATIO_MAX = 1;

/** Issue 11: `npx projen` with nothing to change. */
export const SYNTH_MAX_S = 3;

/**
 * Issue 30: a consumer's `npx projen` (a fresh app with the package README's quickstart) at most this multiple of
 * the fresh app's own. Like every ratio here, it is judged on the two measured side by side in one run, never
 * against a figure from another run or machine.
 */
export const CONSUMER_SYNTH_RATIO_MAX = 1.2;

/** Where a missed target's cause is written down, by the target's name: the report links it. */
export const MISS_ANALYSIS: Readonly<Record<string, string>> = Object.fromEntries([
  'START_RATIO_MAX', 'START_ONE_WORKER_RATIO_MAX', 'HEALTH_THROUGHPUT_RATIO_MIN', 'LIVENESS_THROUGHPUT_RATIO_MIN',
  'IMAGE_GOAL_MB', 'IMAGE_GZIP_GOAL_MB', 'MIXED_RATIO_MIN', 'COLD_BUILD_RATIO_MAX', 'SYNTH_MAX_S',
].map((name) => [name, 'docs/decisions/0008-performance-at-the-limit.md']));

/** Errors, timeouts and non-2xx answers allowed under load. */
export const LOAD_ERRORS_MAX = 0;

/** What a run writes, relative to the project: the report, the results it is rendered from, and the README that quotes its headline. */
export const BENCH_OUTPUTS = { report: 'docs/benchmarks.md', results: 'docs/benchmarks.json', readme: 'README.md' } as const;

/** Image tags the bench builds. */
export const TAGS = { ours: 'bench-ours:latest', baseline: 'bench-baseline:latest' } as const;

/**
 * The docker-init baseline's Dockerfile (relative to the project). Its base is our build stage's node image:
 * run.ts passes the spec's Node major as the template's NODE_VERSION.
 */
export const BASELINE = { dockerfile: 'bench/baseline.Dockerfile' } as const;

/** The throwaway PostgreSQL of the mixed load (trust auth on loopback). */
export const POSTGRES = { host: '127.0.0.1', port: POSTGRES_PORT, user: 'postgres' } as const;

/**
 * Issue 29's soak (`npx projen bench:soak`): one worker with the production pod's settings under the mixed load, with
 * LOAD's connections. SOAK_SECONDS overrides `durationS`; the first `warmupShare` of it is warm-up, and the first sample
 * after it is the RSS "after warm-up". A sample every `sampleS`.
 */
export const SOAK = { durationS: 600, warmupShare: 0.1, sampleS: 5 } as const;

/** What the soak writes, relative to the project: the report and the results it is rendered from. */
export const SOAK_OUTPUTS = { report: 'docs/soak.md', results: 'docs/soak.json' } as const;
