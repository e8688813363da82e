import type { FastifyInstance } from 'fastify';
import type { Database } from '../database';
import { classifyDatabaseError, type UnavailableReason } from '../database-errors';
import { sharedVerdict } from '../shared-verdict';

export interface HealthOptions {
  readonly path: string;
  readonly version: string;
  readonly db?: Database;
  readonly probeTimeoutMs: number;
  readonly probeWindowMs: number;
}

type CheckResult = { state: 'ok' | 'disabled' } | { state: 'unavailable'; reason: UnavailableReason | 'unknown'; error: unknown };

/**
 * The readiness signal. Its body names the failing dependency and a reason
 * code only: anyone may call it, so hosts, users and database names stay in
 * the log line.
 */
export function registerHealthRoute(app: FastifyInstance, options: HealthOptions): void {
  // Anyone may call it, as often as they like: a flood must not become one connection per request.
  const check = sharedVerdict(() => checkDatabase(options.db, options.probeTimeoutMs), options.probeWindowMs);
  app.get(options.path, async (request, reply) => {
    const db = await check();
    if (db.state === 'unavailable') request.failure = db.error;
    return reply.code(db.state === 'unavailable' ? 503 : 200).send({
      status: db.state === 'unavailable' ? 'degraded' : 'ok',
      checks: { db: db.state },
      ...(db.state === 'unavailable' ? { errors: { db: db.reason } } : {}),
      version: options.version,
      timestamp: new Date().toISOString(),
    });
  });
}

async function checkDatabase(db: Database | undefined, timeoutMs: number): Promise<CheckResult> {
  if (!db) return { state: 'disabled' };
  try {
    await withTimeout(db.probe(), timeoutMs, `no answer within ${timeoutMs} ms`);
    return { state: 'ok' };
  } catch (err) {
    const failure = classifyDatabaseError(err);
    return { state: 'unavailable', reason: failure.kind === 'unavailable' ? failure.reason : 'unknown', error: err };
  }
}

/**
 * Orchestrators poll health with short timeouts, so the answer has a deadline of its own; the probe's
 * pg timeouts then free its connection.
 */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(message), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
