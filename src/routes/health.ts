import type { FastifyInstance } from 'fastify';
import type { Database } from '../database';
import { firstLine } from '../first-line';

export interface HealthOptions {
  readonly path: string;
  readonly version: string;
  readonly db?: Database;
  readonly probeTimeoutMs: number;
}

type CheckResult = { state: 'ok' | 'disabled' } | { state: 'unreachable'; error: string };

export function registerHealthRoute(app: FastifyInstance, options: HealthOptions): void {
  app.get(options.path, async (_request, reply) => {
    const db = await checkDatabase(options.db, options.probeTimeoutMs);
    const healthy = db.state !== 'unreachable';
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? 'ok' : 'degraded',
      checks: { db: db.state },
      ...(db.state === 'unreachable' ? { errors: { db: db.error } } : {}),
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
    return { state: 'unreachable', error: describe(err) };
  }
}

// pg reports ECONNREFUSED to a host with several addresses as an AggregateError with an empty message.
function describe(err: unknown): string {
  const { errors, code } = (typeof err === 'object' && err !== null ? err : {}) as { errors?: unknown; code?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return describe(errors[0]);
  return firstLine(err) || (typeof code === 'string' ? code : 'unknown error');
}

/** Orchestrators poll health with short timeouts, so a hanging probe must not hang the answer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
