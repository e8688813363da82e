/** Why the database cannot serve now: short codes, safe to show anyone (no hosts, users or names). */
export const UNAVAILABLE_REASONS = [
  'refused',
  'unreachable',
  'timeout',
  'connection-lost',
  'auth',
  'database-missing',
  'tls',
  'too-many-connections',
  'resources',
  'shutting-down',
  'starting',
  'busy',
] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];

export type DatabaseFailure =
  /**
   * The data was refused (SQLSTATE classes 22 and 23): the client's to fix. `message` is ours, by the
   * class: PostgreSQL's own text can quote values, names and internals, and is for the log only.
   */
  | { kind: 'invalid-data'; message: string; field?: string }
  /** Worth retrying later. */
  | { kind: 'unavailable'; reason: UnavailableReason }
  | { kind: 'unexpected' };

const socketReasons: Record<string, UnavailableReason> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
};

// pg and pg-pool raise these without a code.
const messageReasons: [RegExp, UnavailableReason][] = [
  // pg-pool: no pooled connection became free within connectionTimeoutMillis.
  [/^timeout exceeded when trying to connect$/, 'busy'],
  // pg: connectionTimeoutMillis while connecting, query_timeout while waiting for an answer.
  [/^(timeout expired|Query read timeout|Connection terminated due to connection timeout)$/, 'timeout'],
  [/^Connection terminated/, 'connection-lost'],
  [/^The server does not support SSL connections$/, 'tls'],
];

/** What a refusal of the data says to the client, by SQLSTATE class. */
const invalidDataMessages: Record<string, string> = {
  22: 'a value is malformed or out of range',
  23: 'the data breaks a rule of the database',
};

const sqlStateReasons: [RegExp, UnavailableReason][] = [
  [/^53300$/, 'too-many-connections'],
  [/^53/, 'resources'],
  // Cancelled by statement_timeout: the database is too slow to answer now.
  [/^57014$/, 'timeout'],
  [/^57P0[12]$/, 'shutting-down'],
  [/^57P03$/, 'starting'],
  [/^57P0/, 'connection-lost'],
  [/^08/, 'connection-lost'],
  [/^28/, 'auth'],
  [/^3D000$/, 'database-missing'],
];

/**
 * Sorts an error from pg (or from the network under it) by what the client
 * should do about it. Duck-typed: socket errors can come from another realm
 * and fail instanceof.
 */
export function classifyDatabaseError(err: unknown): DatabaseFailure {
  if (typeof err !== 'object' || err === null) return { kind: 'unexpected' };
  const { code, message, errors, severity, column } = err as Record<string, unknown>;
  // Connecting to a host with several addresses fails with an AggregateError.
  if (Array.isArray(errors) && errors.length > 0) return classifyDatabaseError(errors[0]);
  if (typeof code === 'string') {
    if (code in socketReasons) return { kind: 'unavailable', reason: socketReasons[code] };
    if (/^(ERR_TLS_|ERR_SSL_)|CERT/.test(code)) return { kind: 'unavailable', reason: 'tls' };
    // pg's DatabaseError: a SQLSTATE from the server, which always sends a severity with it.
    if (typeof severity === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      const invalidData = invalidDataMessages[code.slice(0, 2)];
      if (invalidData) {
        return { kind: 'invalid-data', message: invalidData, ...(typeof column === 'string' ? { field: column } : {}) };
      }
      const reason = sqlStateReasons.find(([pattern]) => pattern.test(code))?.[1];
      return reason ? { kind: 'unavailable', reason } : { kind: 'unexpected' };
    }
  }
  if (typeof message === 'string') {
    const reason = messageReasons.find(([pattern]) => pattern.test(message))?.[1];
    if (reason) return { kind: 'unavailable', reason };
  }
  return { kind: 'unexpected' };
}
