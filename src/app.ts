import swagger from '@fastify/swagger';
import fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config';
import { withSharedErrors } from './contract/errors';
import { withResponseHeaders } from './contract/headers';
import type { Database } from './database';
import { clientErrorAnswerer, answerFrameworkError, registerErrorHandling } from './http-errors';
import { JSON_BODY_TYPE, parseJsonBody } from './json-body';
import { createMetrics } from './metrics';
import { refuseAsNodeWouldOurWay } from './node-refusals';
import type { PromptCatalog } from './prompts';
import { REQUEST_ID_HEADER, requestIdGenerator } from './request-id';
import { logAbortedRequest, logRequest } from './request-log';
import { courseRoutes } from './routes/courses';
import { healthRoute } from './routes/health';
import { livenessRoute } from './routes/liveness';
import { metricsRoute, type Scrape } from './routes/metrics';
import { openapiRoute } from './routes/openapi';
import { promptRoutes } from './routes/prompts';
import { UnansweredRequests } from './unanswered-requests';
import { answerUnservedMethods } from './unserved-methods';

/** The prefix of every versioned route; health, liveness and metrics live beside it. */
export const API_PREFIX = '/api/v1';

export interface AppOptions {
  readonly config: Config;
  readonly prompts: PromptCatalog;
  readonly version: string;
  /** Absent when DATABASE_URL is unset. Closed with the app. */
  readonly db?: Database;
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * What /metrics answers, given this app's own registry.
   * @default the app's own figures - a worker of a cluster passes the cluster's (src/cluster-metrics.ts)
   */
  readonly scrape?: Scrape;
}

/**
 * The route schemas are zod: they validate the input and serialise the answer. Given as the
 * compilers' factories (not set after construction), fastify never loads its default ajv and
 * fast-json-stringify, which cost start-up time and would compile nothing. fastify types these
 * factories for JSON Schema only, hence the cast.
 */
const zodCompilers = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler } as unknown as
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];

export function buildApp(options: AppOptions): FastifyInstance {
  const { config, db } = options;
  const genReqId = requestIdGenerator();
  const unanswered = new UnansweredRequests();
  const app = fastify({
    logger: options.logger ?? { level: config.logLevel },
    // One line per request, written in onResponse below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // The caller's x-request-id when it is safe, else our own (src/request-id.ts).
    genReqId,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // node checks these timeouts every 30 s by default, which would let a slow sender overstay by as much.
    // Without Host, refused by refuseAsNodeWouldOurWay below rather than by node.
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1000, requireHostHeader: false },
    // Bad URLs and over-long parameters are answered before routing, without our error handler or hooks.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: clientErrorAnswerer(() => genReqId(), unanswered),
    schemaController: { compilersFactory: zodCompilers },
    // A request that reaches routing while the app closes is served (its connection then closes, below), not
    // answered by fastify's own 503, which has neither our error format nor x-request-id. The database closes
    // only after the server has (onClose hooks run last-registered first).
    return503OnClosing: false,
  });
  unanswered.watch(app.server);

  const metrics = createMetrics(db);
  app.decorateRequest('inFlight', false);
  // Synchronous hooks: nothing here awaits, and fastify calls a sync hook without a promise.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    metrics.started(request);
    done();
  });
  refuseAsNodeWouldOurWay(app);
  answerUnservedMethods(app);
  const quietPaths = new Set([config.healthPath, config.livenessPath, config.metricsPath].filter((p) => p !== undefined));
  app.addHook('onResponse', (request, reply, done) => {
    metrics.answered(request, reply);
    logRequest(request, reply, quietPaths);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    metrics.aborted(request);
    logAbortedRequest(request);
    done();
  });

  // fastify's close only drops connections idle at that moment; a keep-alive
  // connection whose request finishes later would hold the worker open until
  // the shutdown timeout. Answering with "Connection: close" ends it instead.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // JSON is the only body the API reads; any other type, text/plain included, is answered 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_BODY_TYPE, { parseAs: 'buffer' }, parseJsonBody);
  registerErrorHandling(app);
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Course Supporter API',
        version: options.version,
        description: 'Courses over PostgreSQL and the LLM prompt templates. Every answer carries an `x-request-id` header: '
          + 'the caller\'s own when it is at most 128 characters of `A-Z a-z 0-9 . _ : -`, else a new one. '
          + 'A path this document does not list is answered 404, and a method a listed path does not serve 405 with an '
          + '`Allow` header, both in the error format of the operations\' answers.',
      },
    },
    transform: (route) => jsonSchemaTransform({ ...route, schema: withSharedErrors(route.schema) }),
    transformObject: withResponseHeaders(API_PREFIX),
  });
  if (config.livenessPath) void app.register(livenessRoute, { path: config.livenessPath, version: options.version });
  const { probeTimeoutMs, probeWindowMs } = config.database;
  void app.register(healthRoute, { path: config.healthPath, version: options.version, db, probeTimeoutMs, probeWindowMs });
  if (config.metricsPath) void app.register(metricsRoute, { path: config.metricsPath, registry: metrics.registry, scrape: options.scrape });
  void app.register(openapiRoute);
  void app.register(courseRoutes, { prefix: API_PREFIX, db });
  void app.register(promptRoutes, { prefix: API_PREFIX, prompts: options.prompts });

  if (db) {
    app.addHook('onClose', async () => db.close());
  }
  return app;
}
