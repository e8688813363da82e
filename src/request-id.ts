import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming id may be to be kept: short, and only characters that
 * cannot break a log line, a header or a query (UUIDs, W3C trace ids, ULIDs
 * and base64url all fit). Anything else is replaced, never echoed.
 */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * fastify's `genReqId`: the caller's `x-request-id` when it is safe, so a
 * trace through a proxy or gateway keeps its id; else a new one. New ids are
 * a random per-process prefix and a counter: unique across workers and
 * restarts (a 500's body names one) at the cost of an increment, not a UUID.
 */
export function requestIdGenerator(prefix: string = randomBytes(6).toString('hex')): (request?: IncomingMessage) => string {
  let counter = 0;
  return (request) => {
    const incoming = request?.headers[REQUEST_ID_HEADER];
    if (typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming)) return incoming;
    counter += 1;
    return `${prefix}-${counter.toString(36)}`;
  };
}
