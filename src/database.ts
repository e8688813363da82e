import { Pool } from 'pg';
import type { DatabaseConfig } from './config';

/** The narrow surface the routes need, so tests can substitute a fake. */
export interface Database {
  query<Row>(text: string, values?: unknown[]): Promise<Row[]>;
  /** Resolves when PostgreSQL answers a trivial query; rejects with the reason otherwise. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export function createDatabase(url: string, config: DatabaseConfig, onIdleError: (err: Error) => void): Database {
  const pool = new Pool({
    connectionString: url,
    max: config.poolMax,
    // Without it a blackholed database makes every request hang; the health
    // probe has its own timeout, this one covers the course routes.
    connectionTimeoutMillis: config.probeTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (e.g. PostgreSQL restarts) emits an
  // error on the pool; unhandled, it would crash the worker.
  pool.on('error', onIdleError);

  return {
    async query<Row>(text: string, values?: unknown[]) {
      const result = await pool.query(text, values);
      return result.rows as Row[];
    },
    async probe() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * True when the error means "PostgreSQL is unreachable or unavailable" rather
 * than "this query is wrong", so the API can answer 503 instead of 500.
 */
export function isUnavailableError(err: unknown): boolean {
  // Duck-typed: socket errors can come from another realm and fail instanceof.
  if (typeof err !== 'object' || err === null) return false;
  const { code, message, errors } = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    // SQLSTATE class 08: connection exception; 57P0x: server shutting down or starting.
    if (connectionErrorCodes.has(code) || code.startsWith('08') || code.startsWith('57P0')) return true;
  }
  // Connecting to a host with several addresses fails with an AggregateError.
  if (Array.isArray(errors) && errors.some(isUnavailableError)) return true;
  return typeof message === 'string' && /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}
