import { Client, type ClientConfig, Pool } from 'pg';
import type { DatabaseConfig } from './config';

export type Query = <Row>(text: string, values?: unknown[]) => Promise<Row[]>;

/** The narrow surface the routes need, so tests can substitute a fake. */
export interface Database {
  query: Query;
  /**
   * Runs `work` in one transaction. It commits only once every statement has
   * answered in time; a statement that fails or times out discards the
   * connection, and PostgreSQL rolls the transaction back.
   */
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
  /**
   * Resolves when a new connection can be opened and answers a trivial query;
   * rejects with the reason otherwise. It never waits for (or reuses) the
   * pool's connections, so busy or silently dead ones cannot skew it.
   */
  probe(): Promise<void>;
  /**
   * Whether a pooled query or transaction succeeded within the last `ms`: evidence from real traffic
   * that the database answers, which makes a probe needless. A failure proves nothing (the pool's
   * connection may be the stale part), so only successes count.
   */
  answeredWithin(ms: number): boolean;
  /** The pool right now: connections open, those idle, and queries waiting for one. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

// How much longer than statement_timeout the client waits for an answer: past it, the server could
// not even report the cancellation, so the connection is presumed dead.
export const networkGraceMs = 500;

export function createDatabase(url: string, config: DatabaseConfig, onIdleError: (err: Error) => void): Database {
  const queryTimeoutMs = config.statementTimeoutMs + networkGraceMs;
  // pg-pool applies its connectionTimeoutMillis both to waiting for a busy pool and to connecting, and
  // passes its options to each client; a client class with its own, shorter limit keeps the two apart.
  class PoolClient extends Client {
    constructor(options?: ClientConfig) {
      super({ ...options, connectionTimeoutMillis: config.connectTimeoutMs });
    }
  }
  const pool = new Pool({
    connectionString: url,
    max: config.poolMax,
    Client: PoolClient,
    connectionTimeoutMillis: config.acquireTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    query_timeout: queryTimeoutMs,
    // A client that vanished mid-transaction must not keep its locks until TCP gives up.
    idle_in_transaction_session_timeout: queryTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (e.g. PostgreSQL restarts) emits an
  // error on the pool; unhandled, it would crash the worker.
  pool.on('error', onIdleError);

  let answeredAt = -Infinity;
  return {
    async query<Row>(text: string, values?: unknown[]) {
      const result = await pool.query(text, values);
      answeredAt = performance.now();
      return result.rows as Row[];
    },
    async transaction(work) {
      const client = await pool.connect();
      // A connection lost between two statements (PostgreSQL restarting sends a FATAL) is an 'error' event on
      // the client, which unheard would crash the worker; the next statement only learns it is "not queryable".
      // The loss is this transaction's failure, and the one to answer with.
      let lost: Error | undefined;
      const onLost = (err: Error): void => {
        lost ??= err;
      };
      client.on('error', onLost);
      // The pool listens again once it has the client back; ours would pile up on a reused one.
      const release = (err?: Error): void => {
        client.removeListener('error', onLost);
        client.release(err);
      };
      try {
        await client.query('BEGIN');
        const result = await work(async <Row>(text: string, values?: unknown[]) => (await client.query(text, values)).rows as Row[]);
        await client.query('COMMIT');
        answeredAt = performance.now();
        release();
        return result;
      } catch (err) {
        const failure = lost ?? (err as Error);
        // Discarded rather than sent a ROLLBACK: the connection may be the stalled part.
        release(failure);
        throw failure;
      }
    },
    async probe() {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: config.probeTimeoutMs, query_timeout: config.probeTimeoutMs });
      // Once the probe has its answer, a late connection error has nobody to tell; unhandled it would crash the worker.
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        // Not awaited: ending politely waits for the server, which may be the thing not answering.
        client.end().catch(() => undefined);
      }
    },
    answeredWithin: (ms) => performance.now() - answeredAt < ms,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}
