import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import * as prom from 'prom-client';
import { buildApp } from './app';
import { clusterScrape } from './cluster-metrics';
import { type Config, loadConfig } from './config';
import { createDatabase } from './database';
import { serviceVersion } from './package-root';
import { loadPrompts, type PromptCatalog } from './prompts';

/** What index.ts already loaded and validated when this process serves alone. */
export interface Loaded {
  readonly config: Config;
  readonly prompts: PromptCatalog;
}

/**
 * One HTTP server process: a cluster worker, or the whole service with one
 * worker, which gets the config and prompts index.ts validated. A cluster
 * worker loads its own: the primary validated them before forking, so
 * loading them again cannot fail differently.
 */
export async function runWorker(loaded?: Loaded): Promise<void> {
  let server: FastifyInstance | undefined;
  let listening = false;
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    // Signalled before listening: no connection was ever accepted, so nothing to drain. (fastify's
    // close while listen is still pending never settles, which held the whole stop to its timeout.)
    if (!server || !listening) process.exit(0);
    const app = server;
    app.log.info({ reason }, 'worker shutting down');
    // Under the cluster the primary holds the deadline; serving alone, this process does.
    if (!cluster.isWorker) {
      setTimeout(() => {
        app.log.error({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs);
    }
    // fastify close: stop accepting, let in-flight requests finish, drop idle
    // keep-alive connections; then the onClose hook ends the pg pool.
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  };
  // Installed first so a signal during startup is not fatal. Ctrl-C signals
  // the whole process group, so workers hear it directly as well as via the primary.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The primary is gone (e.g. SIGKILLed): nobody would replace or stop us, so drain and exit. node's
  // cluster would exit at once, cutting off in-flight requests: its own listener came first, so ours
  // goes before it and marks the disconnect as expected, which is what keeps it from exiting.
  process.prependListener('disconnect', () => {
    if (cluster.worker) cluster.worker.exitedAfterDisconnect = true;
    stop('primary disconnected');
  });

  const config = loaded?.config ?? loadConfig();
  const prompts = loaded?.prompts ?? loadPrompts(config.promptsDir);
  const db = config.database.url
    ? createDatabase(config.database.url, config.database, (err) => server?.log.error({ err }, 'idle database connection failed'))
    : undefined;
  // Under the cluster primary, /metrics answers for every worker (src/cluster-metrics.ts).
  const scrape = cluster.isWorker ? (own: Registry) => clusterScrape(own, prom) : undefined;
  server = buildApp({ config, prompts, db, version: serviceVersion(), scrape });
  await server.listen({ host: config.host, port: config.port });
  listening = true;
  // The cluster primary logs this for its workers; serving alone, the process says it itself.
  if (!cluster.isWorker) server.log.info({ workerPid: process.pid, port: config.port }, 'worker listening');
}

