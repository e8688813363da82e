import type { FastifyInstance } from 'fastify';

export interface LivenessOptions {
  readonly path: string;
  readonly version: string;
}

/**
 * Liveness: answers while the process can serve, and never touches the
 * database, so an outage there makes the service unready, not restarted.
 */
export function registerLivenessRoute(app: FastifyInstance, options: LivenessOptions): void {
  app.get(options.path, async () => ({ status: 'ok', version: options.version }));
}
