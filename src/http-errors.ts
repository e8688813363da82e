import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorBody } from './contract/errors';
import { classifyDatabaseError, type UnavailableReason } from './database-errors';
import { REQUEST_ID_HEADER } from './request-id';
import { logRequest } from './request-log';
import type { UnansweredRequests } from './unanswered-requests';

/** An error whose message is safe to show to clients. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly field?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * A request that failed its route's schema: the first issue becomes the message, naming the field
 * (a dotted path; for an unknown key, the key; for a missing or non-object input, the part).
 */
function validationAnswer(err: FastifyError): { message: string; field: string } {
  const [issue] = err.validation!;
  const keys = (issue.params as { keys?: unknown }).keys;
  const path = issue.instancePath.split('/').filter(Boolean).join('.');
  const field = issue.keyword === 'unrecognized_keys' && Array.isArray(keys) ? String(keys[0]) : path || (err.validationContext ?? 'body');
  return { message: `${field}: ${issue.message}`, field };
}

export function errorBody(statusCode: number, message: string, field?: string): ErrorBody {
  return { error: STATUS_CODES[statusCode] ?? 'Error', message, ...(field === undefined ? {} : { field }) };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The error behind the answer, for the single per-request log line: its details never reach the client. */
    failure: unknown;
  }
}

// Seconds: a busy pool frees up within a request or two; an outage takes longer.
const retryAfterSeconds = (reason: UnavailableReason): number => (reason === 'busy' ? 1 : 5);

/**
 * Every error leaves as JSON without a stack trace. Client errors keep their
 * message (fastify's own, e.g. malformed JSON, are written for clients);
 * database errors are answered by what the client can do about them: fix the
 * data (400, in our words, not the database's) or retry later (503 with
 * Retry-After); anything else becomes a generic 500 whose request id leads to
 * the details in the log.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.decorateRequest('failure', undefined);
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send(errorBody(err.statusCode, err.message, err.field));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const { message, field } = validationAnswer(err);
      return reply.code(400).send(errorBody(400, message, field));
    }
    const statusCode = err.statusCode ?? 500;
    if (statusCode === 413 && !request.raw.complete) {
      // fastify closes the connection after a body it refused, and node resets it while the client is
      // still sending: a client that reads only once it has sent it all never reads this answer. Kept
      // open, node reads the rest and discards it (within requestTimeoutMs), then serves the next request.
      reply.removeHeader('connection');
    }
    if (statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send(errorBody(statusCode, err.message));
    }
    const failure = classifyDatabaseError(err);
    request.failure = err;
    if (failure.kind === 'invalid-data') {
      return reply.code(400).send(errorBody(400, `invalid data: ${failure.message}`, failure.field));
    }
    if (failure.kind === 'unavailable') {
      return reply.code(503)
        .header('retry-after', String(retryAfterSeconds(failure.reason)))
        .send(errorBody(503, failure.reason === 'busy' ? 'database busy' : 'database unavailable'));
    }
    return reply.code(500).send({ ...errorBody(500, 'An unexpected error occurred'), requestId: request.id });
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(errorBody(404, `Route ${request.method} ${request.url} not found`));
  });
}

/** What a framework error says, by its code: fastify's own messages quote the whole URL, up to the header limit. */
const frameworkMessages: Record<string, (request: FastifyRequest) => string> = {
  FST_ERR_BAD_URL: () => 'the URL is not valid percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: ({ server }) => `a path parameter is longer than ${server.initialConfig.maxParamLength} characters`,
};

/** fastify's `frameworkErrors`: a bad URL (400) or an over-long parameter (414), answered like any other error. */
export function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const statusCode = err.statusCode ?? 500;
  if (statusCode >= 500) request.failure = err;
  // Raised while routing, before the onRequest hook that echoes the id.
  reply.header(REQUEST_ID_HEADER, request.id);
  const message = statusCode >= 500 ? 'An unexpected error occurred' : frameworkMessages[err.code]?.(request) ?? STATUS_CODES[statusCode] ?? 'Error';
  void reply.code(statusCode).send(errorBody(statusCode, message));
  // These requests never reach a route, so no onResponse hook writes their line.
  logRequest(request, reply);
}

const clientErrors: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'request headers too large'],
};

/**
 * Makes fastify's `clientErrorHandler`: node could not read a request (timed
 * out, oversized or malformed headers). Answered in our format, with a request
 * id from `newRequestId`, and logged, where fastify's default writes its own
 * format and logs at trace level only. The requests read before it on the
 * connection are answered first (`requests`), each in its turn.
 */
export function clientErrorAnswerer(newRequestId: () => string, requests: UnansweredRequests):
(this: FastifyInstance, err: ConnectionError, socket: Socket) => void {
  // node reports every further byte of a connection it cannot parse: one answer each.
  const answering = new WeakSet<Socket>();
  return function answerClientError(this: FastifyInstance, err: ConnectionError, socket: Socket): void {
    // A reset connection has nobody to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed || answering.has(socket)) return;
    answering.add(socket);
    const [statusCode, message] = clientErrors[err.code] ?? [400, 'malformed HTTP request'];
    // Its headers were not read (or not trusted): a new id, so the answer and its log line still meet.
    const requestId = newRequestId();
    this.log.info({ reqId: requestId, statusCode, code: err.code }, 'client error');
    void requests.settled(socket).then((remaining) => {
      if (remaining === 'nothing' || !socket.writable) {
        socket.destroy();
        return;
      }
      const body = JSON.stringify(errorBody(statusCode, message));
      socket.end([
        `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}`,
        'Connection: close',
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        '',
        body,
      ].join('\r\n'));
    });
  };
}
