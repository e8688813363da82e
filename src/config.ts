import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { firstLine } from './first-line';
import { packageRoot } from './package-root';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DatabaseConfig {
  /** Absent means the database is disabled: course routes answer 503. */
  readonly url?: string;
  readonly probeTimeoutMs: number;
  /**
   * How long one probe's verdict answers every readiness request: however many
   * arrive, each worker opens at most one probe connection per window.
   */
  readonly probeWindowMs: number;
  readonly poolMax: number;
  /** Opening one connection; past it the database counts as unreachable. */
  readonly connectTimeoutMs: number;
  /** Waiting for a pooled connection while all are busy; past it the pool counts as busy. */
  readonly acquireTimeoutMs: number;
  /** PostgreSQL's statement_timeout; the client waits a little longer before it gives up on the connection. */
  readonly statementTimeoutMs: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  /** Readiness: 503 while the database is unavailable. */
  readonly healthPath: string;
  /**
   * Liveness: 200 while the process can serve, whatever the database does.
   * Absent when the image declares none: then the app serves none, and nothing probes it.
   */
  readonly livenessPath?: string;
  /** Prometheus text format, aggregated across the workers; absent when the image declares none, like liveness. */
  readonly metricsPath?: string;
  readonly logLevel: LogLevel;
  readonly database: DatabaseConfig;
  readonly shutdownTimeoutMs: number;
  /** Receiving a whole request, body included. */
  readonly requestTimeoutMs: number;
  /** Receiving a request's headers. */
  readonly headersTimeoutMs: number;
  /** Keeping an idle connection open for its next request. */
  readonly keepAliveTimeoutMs: number;
  /** Absolute path. */
  readonly promptsDir: string;
}

/** Thrown for any invalid setting; its message is a single line meant for operators. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`config error: ${message}`);
    this.name = 'ConfigError';
  }
}

// The app ships without the projen-container package, so it restates the package's rules for the facts it
// declares (its container/validation.ts): each bound here accepts at least what the package synthesizes.
const port = z.number().int().min(1).max(65535);
// The package's MAX_WORKERS: more processes than a large node has cores only add heaps and context switches.
const workers = z.number().int().min(1).max(64);
const positiveMs = z.number().int().min(1);
// The package's URL path: RFC 3986's unreserved characters and slashes, no percent-escapes.
const urlPath = z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/);

// Strict, so a typo in the declared facts fails at startup instead of being ignored.
const defaultsSchema = z.strictObject({
  host: z.string().min(1),
  port,
  workers,
  healthPath: urlPath,
  // Optional as on the image: what it does not declare, the app does not serve.
  livenessPath: urlPath.optional(),
  metricsPath: urlPath.optional(),
  logLevel: z.enum(LOG_LEVELS),
  database: z.strictObject({
    probeTimeoutMs: positiveMs,
    // Short against the probe timeout, so an outage still reads as 503 within about both, and a recovery
    // as 200 within about both; long enough that a flood costs a handful of connections a second.
    probeWindowMs: positiveMs.default(250),
    poolMax: z.number().int().min(1),
    connectTimeoutMs: positiveMs.default(500),
    // Within the request's budget, so a queued request still gets a clean 503 rather than a cut connection.
    acquireTimeoutMs: positiveMs.default(1000),
    statementTimeoutMs: positiveMs.default(1000),
  }),
  shutdownTimeoutMs: positiveMs,
  // Slow senders (or attackers) cannot hold a connection open for long.
  requestTimeoutMs: positiveMs.default(10_000),
  headersTimeoutMs: positiveMs.default(5_000),
  // Longer than a load balancer's idle timeout (AWS ALB: 60 s), so the balancer, not the
  // server, closes idle connections and never sends a request into one being closed.
  keepAliveTimeoutMs: positiveMs.default(65_000),
  promptsDir: z.string().min(1),
});
type Defaults = z.infer<typeof defaultsSchema>;

const integerString = z.string().trim().regex(/^\d+$/).transform(Number);

type Settings = Defaults & { databaseUrl?: string };

/** Applies one raw variable to the settings; returns what was expected if the value is invalid. */
type EnvOverride = (settings: Settings, raw: string) => string | undefined;

function envOverride<T>(expected: string, schema: z.ZodType<T>, set: (settings: Settings, value: T) => void): EnvOverride {
  return (settings, raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return expected;
    set(settings, parsed.data);
    return undefined;
  };
}

const envOverrides: Record<string, EnvOverride> = {
  PORT: envOverride('an integer 1-65535', integerString.pipe(port), (s, v) => { s.port = v; }),
  HOST: envOverride('a non-empty host name or address', z.string().trim().min(1), (s, v) => { s.host = v; }),
  WEB_CONCURRENCY: envOverride('an integer 1-64 (the number of worker processes)', integerString.pipe(workers), (s, v) => { s.workers = v; }),
  LOG_LEVEL: envOverride(`one of ${LOG_LEVELS.join(', ')}`, z.enum(LOG_LEVELS), (s, v) => { s.logLevel = v; }),
  DATABASE_URL: envOverride('a postgres:// or postgresql:// URL', z.string().refine(isPostgresUrl), (s, v) => { s.databaseUrl = v; }),
};

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Defaults come from config/default.json (synthesized by projen from the
 * service facts); a few environment variables override them.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, root: string = packageRoot): Config {
  const defaults = readDefaults(path.join(root, 'config', 'default.json'));
  const merged: Settings = { ...defaults, database: { ...defaults.database } };

  for (const [name, override] of Object.entries(envOverrides)) {
    const raw = env[name];
    // An empty variable counts as unset: `DATABASE_URL=` is a common way to disable it.
    if (raw === undefined || raw === '') continue;
    const expected = override(merged, raw);
    if (expected !== undefined) {
      throw new ConfigError(`${name} must be ${expected}, got ${JSON.stringify(raw)}`);
    }
  }

  const paths = ['healthPath', 'livenessPath', 'metricsPath'] as const;
  for (const [i, name] of paths.entries()) {
    const clash = merged[name] !== undefined && paths.slice(0, i).find((other) => merged[other] === merged[name]);
    if (clash) throw new ConfigError(`${name} must differ from ${clash}, both are ${JSON.stringify(merged[name])}`);
  }
  if (merged.headersTimeoutMs > merged.requestTimeoutMs) {
    throw new ConfigError(`headersTimeoutMs must not exceed requestTimeoutMs (${merged.requestTimeoutMs}), got ${merged.headersTimeoutMs}`);
  }

  return {
    host: merged.host,
    port: merged.port,
    workers: merged.workers,
    healthPath: merged.healthPath,
    livenessPath: merged.livenessPath,
    metricsPath: merged.metricsPath,
    logLevel: merged.logLevel,
    database: { ...merged.database, url: merged.databaseUrl },
    shutdownTimeoutMs: merged.shutdownTimeoutMs,
    requestTimeoutMs: merged.requestTimeoutMs,
    headersTimeoutMs: merged.headersTimeoutMs,
    keepAliveTimeoutMs: merged.keepAliveTimeoutMs,
    promptsDir: path.resolve(root, merged.promptsDir),
  };
}

function readDefaults(file: string): Defaults {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${firstLine(err)}`);
  }
  if (typeof json === 'object' && json !== null) {
    // projen's "generated file" marker, not a setting.
    delete (json as Record<string, unknown>)['//'];
  }
  const parsed = defaultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
