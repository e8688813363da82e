import { randomUUID } from 'node:crypto';
import fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { Config } from './config';
import type { Database } from './database';
import { registerErrorHandling } from './http-errors';
import type { PromptCatalog } from './prompts';
import { registerCourseRoutes } from './routes/courses';
import { registerHealthRoute } from './routes/health';
import { registerPromptRoutes } from './routes/prompts';

export interface AppOptions {
  readonly config: Config;
  readonly prompts: PromptCatalog;
  readonly version: string;
  /** Absent when DATABASE_URL is unset. Closed with the app. */
  readonly db?: Database;
  readonly logger?: FastifyServerOptions['logger'];
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { config, db } = options;
  const app = fastify({
    logger: options.logger ?? { level: config.logLevel },
    // One line per request, written in onResponse below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Unique across workers and restarts, unlike fastify's per-process counter: a 500's body names it.
    genReqId: () => randomUUID(),
  });

  app.addHook('onResponse', async (request, reply) => {
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
  });

  // fastify's close only drops connections idle at that moment; a keep-alive
  // connection whose request finishes later would hold the worker open until
  // the shutdown timeout. Answering with "Connection: close" ends it instead.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  registerErrorHandling(app);
  registerHealthRoute(app, { path: config.healthPath, version: options.version, db, probeTimeoutMs: config.database.probeTimeoutMs });
  registerCourseRoutes(app, db);
  registerPromptRoutes(app, options.prompts);

  if (db) {
    app.addHook('onClose', async () => db.close());
  }
  return app;
}
