import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as z from 'zod';
import type { Database } from '../database';
import { classifyDatabaseError, UNAVAILABLE_REASONS, type UnavailableReason } from '../database-errors';
import { sharedVerdict } from '../shared-verdict';

export interface HealthOptions {
  readonly path: string;
  readonly version: string;
  readonly db?: Database;
  readonly probeTimeoutMs: number;
  readonly probeWindowMs: number;
}

type CheckResult = { state: 'ok' | 'disabled' } | { state: 'unavailable'; reason: UnavailableReason | 'unknown'; error: unknown };
const answered: Promise<CheckResult> = Promise.resolve({ state: 'ok' });

const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ db: z.enum(['ok', 'disabled', 'unavailable']).meta({ description: '"disabled": no DATABASE_URL is set' }) }),
  errors: z.object({ db: z.enum([...UNAVAILABLE_REASONS, 'unknown']) }).optional()
    .meta({ description: 'Why a check is unavailable, as a reason code: never a host, user or name' }),
  version: z.string(),
  timestamp: z.iso.datetime(),
});

/**
 * The readiness signal. Its body names the failing dependency and a reason
 * code only: anyone may call it, so hosts, users and database names stay in
 * the log line.
 */
export const healthRoute: FastifyPluginAsyncZod<HealthOptions> = async (app, options) => {
  // Anyone may call it, as often as they like: a flood must not become one connection per request.
  // A pooled query that succeeded within the window already proves the database answers: no probe then.
  const probe = sharedVerdict(() => checkDatabase(options.db, options.probeTimeoutMs), options.probeWindowMs);
  const check = (): Promise<CheckResult> => (options.db?.answeredWithin(options.probeWindowMs) ? answered : probe());
  app.get(options.path, {
    schema: {
      summary: 'Readiness: whether this process and its database can serve',
      response: {
        200: healthSchema.extend({ status: z.literal('ok'), errors: z.never().optional() })
          .describe('Ready: the database answered a probe within the last window, or none is configured'),
        503: healthSchema.extend({ status: z.literal('degraded'), checks: z.object({ db: z.literal('unavailable') }), errors: healthSchema.shape.errors.unwrap() })
          .describe('Degraded: the database did not answer its probe; `errors.db` says why'),
      },
    },
  }, async (request, reply) => {
    const db = await check();
    const stamp = { version: options.version, timestamp: new Date().toISOString() };
    if (db.state !== 'unavailable') return reply.code(200).send({ status: 'ok', checks: { db: db.state }, ...stamp });
    request.failure = db.error;
    return reply.code(503).send({ status: 'degraded', checks: { db: db.state }, errors: { db: db.reason }, ...stamp });
  });
};

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
