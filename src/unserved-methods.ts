import type { FastifyInstance } from 'fastify';
import { errorBody } from './http-errors';

/**
 * A known path asked with a method it does not serve is answered 405, with `Allow` listing the
 * methods it does (HEAD wherever GET is, as fastify serves it), where fastify would answer 404.
 * Decided in onRequest, before any body is read: the method alone is at fault.
 */
export function answerUnservedMethods(app: FastifyInstance): void {
  const served = new Set<string>();
  app.addHook('onRoute', ({ method }) => {
    for (const each of [method].flat()) served.add(each);
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) {
      done();
      return;
    }
    const allowed = [...served].filter((method) => app.findRoute({ method, url: request.url }) !== null).sort();
    if (allowed.length === 0) {
      done();
      return;
    }
    void reply.code(405).header('allow', allowed.join(', '))
      .send(errorBody(405, `${request.method} is not served here; this path serves ${allowed.join(', ')}`));
  });
}
