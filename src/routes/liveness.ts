import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as z from 'zod';

export interface LivenessOptions {
  readonly path: string;
  readonly version: string;
}

const livenessSchema = z.object({ status: z.literal('ok'), version: z.string() }).describe('The process can serve');

/**
 * Liveness: answers while the process can serve, and never touches the
 * database, so an outage there never restarts a pod; the Deployment asks it for readiness too
 * (docs/decisions/0005).
 */
export const livenessRoute: FastifyPluginAsyncZod<LivenessOptions> = async (app, options) => {
  const body = { status: 'ok' as const, version: options.version };
  app.get(options.path, {
    schema: { summary: 'Liveness: the process can serve; never asks the database', response: { 200: livenessSchema } },
  }, async () => body);
};
