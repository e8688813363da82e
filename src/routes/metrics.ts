import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import * as z from 'zod';

/**
 * Given the app's own registry when the app is built, returns what answers each scrape: called
 * then, not on the first scrape, so that a worker can take part in a cluster's scrape from the start.
 */
export type Scrape = (own: Registry) => () => Promise<string>;

export interface MetricsOptions {
  readonly path: string;
  readonly registry: Registry;
  /** @default the registry's own figures */
  readonly scrape?: Scrape;
}

export const metricsRoute: FastifyPluginAsyncZod<MetricsOptions> = async (app, { path, registry, scrape = (own) => () => own.metrics() }) => {
  const answer = scrape(registry);
  app.get(path, {
    schema: {
      summary: 'Prometheus metrics: requests by route, method and status, in flight, the pool, process and event loop',
      response: { 200: { description: 'Prometheus text exposition format', content: { [registry.contentType]: { schema: z.string() } } } },
    },
    // The scrape is text already, and JSON would quote it; an error answer, undeclared here, is serialised by fastify.
    serializerCompiler: () => (data) => data as string,
  }, async (_request, reply) => reply.type(registry.contentType).send(await answer()));
};
