import type { FastifyReply, FastifyRequest } from 'fastify';

/** The one log line per request: how it was answered, and the failure behind a 5xx. */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const line = {
    method: request.method,
    url: request.url,
    statusCode: reply.statusCode,
    responseTime: Math.round(reply.elapsedTime * 100) / 100,
  };
  if (request.failure !== undefined) {
    request.log.error({ ...line, err: request.failure }, 'request failed');
  } else {
    request.log.info(line, 'request completed');
  }
}

/** The client closed the connection before its answer: nothing else would show the request happened. */
export function logAbortedRequest(request: FastifyRequest): void {
  request.log.info({ method: request.method, url: request.url }, 'request aborted');
}
