import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The one log line per request: how it was answered, and the error behind it
 * (a 5xx's, or the database's refusal of a 400's data), at error level for a
 * 5xx. A probe answered 2xx is logged at debug: every orchestrator asks
 * every few seconds, and those lines would bury the traffic; a probe that
 * fails is news and stays at info.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply, probePaths: ReadonlySet<string> = new Set()): void {
  const line = {
    method: request.method,
    url: request.url,
    statusCode: reply.statusCode,
    responseTime: Math.round(reply.elapsedTime * 100) / 100,
    ...(request.failure === undefined ? {} : { err: request.failure }),
  };
  if (request.failure !== undefined && reply.statusCode >= 500) {
    request.log.error(line, 'request failed');
  } else if (probePaths.has(request.routeOptions.url ?? '') && reply.statusCode < 300) {
    request.log.debug(line, 'request completed');
  } else {
    request.log.info(line, 'request completed');
  }
}

/** The client closed the connection before its answer: nothing else would show the request happened. */
export function logAbortedRequest(request: FastifyRequest): void {
  request.log.info({ method: request.method, url: request.url }, 'request aborted');
}
