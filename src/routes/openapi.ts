import type { FastifyPluginAsync } from 'fastify';
import * as z from 'zod';

/** The path of the OpenAPI document, generated from the route schemas by @fastify/swagger. */
export const OPENAPI_PATH = '/openapi.json';

export const openapiRoute: FastifyPluginAsync = async (app) => {
  // Built once, when first asked: the routes are fixed once the app is ready.
  let document: string | undefined;
  app.get(OPENAPI_PATH, {
    schema: {
      summary: 'This document: OpenAPI 3.1, generated from the route schemas',
      response: { 200: z.looseObject({ openapi: z.string() }).describe('The OpenAPI document') },
    },
    // Serialised once, above.
    serializerCompiler: () => (data) => data as string,
  }, async (_request, reply) => {
    document ??= JSON.stringify(app.swagger());
    return reply.type('application/json; charset=utf-8').send(document);
  });
};
