import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './http-errors';

/**
 * Two requests node would refuse itself, with an empty answer that has neither our error format nor
 * x-request-id, and no log line: an HTTP/1.1 request without Host (400, as RFC 9112 requires) and an
 * expectation other than 100-continue (417). node hands them to fastify instead (`requireHostHeader:
 * false` in the server's options; the `checkExpectation` event passed on as a request, as node does
 * after a 100-continue), and this refuses them like any other answer: logged, counted, with an id.
 */
export function refuseAsNodeWouldOurWay(app: FastifyInstance): void {
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    app.server.emit('request', request, response);
  });
  app.addHook('onRequest', (request, reply, done) => {
    const { expect } = request.headers;
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.code(400).send(errorBody(400, 'the Host header is required'));
    } else if (expect !== undefined && expect.toLowerCase() !== '100-continue') {
      void reply.code(417).send(errorBody(417, 'only the expectation 100-continue is supported'));
    } else {
      done();
    }
  });
}
