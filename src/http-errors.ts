import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';

/** An error whose message is safe to show to clients. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly field?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** Validates untrusted input; the first issue becomes a 400 that names the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.map(String).join('.') || 'body';
  throw new HttpError(400, `${field}: ${issue.message}`, field);
}

export function errorBody(statusCode: number, message: string, field?: string): ErrorBody {
  return { error: STATUS_CODES[statusCode] ?? 'Error', message, ...(field === undefined ? {} : { field }) };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** A server-side failure, attached to the single per-request log line. */
    failure?: unknown;
  }
}

/**
 * Every error leaves as JSON without a stack trace. Client errors keep their
 * message (fastify's own, e.g. malformed JSON, are written for clients);
 * anything else becomes a generic 500 and the details go to the log.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send(errorBody(err.statusCode, err.message, err.field));
    }
    const statusCode = err.statusCode ?? 500;
    if (statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send(errorBody(statusCode, err.message));
    }
    request.failure = err;
    return reply.code(500).send(errorBody(500, 'An unexpected error occurred'));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(errorBody(404, `Route ${request.method} ${request.url} not found`));
  });
}
