import { randomUUID } from 'node:crypto';
import fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { Config } from './config';
import type { Database } from './database';
import { answerClientError, answerFrameworkError, registerErrorHandling } from './http-errors';
import type { PromptCatalog } from './prompts';
import { logAbortedRequest, logRequest } from './request-log';
import { registerCourseRoutes } from './routes/courses';
import { registerHealthRoute } from './routes/health';
import { registerLivenessRoute } from './routes/liveness';
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
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // node checks these timeouts every 30 s by default, which would let a slow sender overstay by as much.
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    // Bad URLs and over-long parameters are answered before routing, without our error handler or hooks.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });

  const probePaths = new Set([config.healthPath, config.livenessPath]);
  app.addHook('onResponse', async (request, reply) => logRequest(request, reply, probePaths));
  app.addHook('onRequestAbort', async (request) => logAbortedRequest(request));

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
  registerLivenessRoute(app, { path: config.livenessPath, version: options.version });
  registerHealthRoute(app, {
    path: config.healthPath, version: options.version, db, probeTimeoutMs: config.database.probeTimeoutMs, probeWindowMs: config.database.probeWindowMs,
  });
  registerCourseRoutes(app, db);
  registerPromptRoutes(app, options.prompts);

  if (db) {
    app.addHook('onClose', async () => db.close());
  }
  return app;
}
