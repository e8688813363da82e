import cluster, { type Worker } from 'node:cluster';
import { answerScrapes } from './cluster-metrics';
import type { Config } from './config';
import type { PrimaryLog } from './primary-log';
import { isStartupFailure } from './startup-failure';

/**
 * Supervises the workers: forks `config.workers`, replaces one that dies
 * unexpectedly, and on SIGTERM/SIGINT stops them all. Exits 0 once every
 * worker has exited cleanly; after `shutdownTimeoutMs` it SIGKILLs the
 * stragglers and exits 1, so a stuck request cannot stall a deploy forever and
 * the non-zero status tells the operator that requests were cut off.
 */
export function runPrimary(config: Config, log: PrimaryLog): void {
  let shuttingDown = false;
  let cleanExits = true;
  const listening = new WeakSet<Worker>();
  // Our own count: cluster.workers drops a worker only after both its exit and its disconnect,
  // so on the last exit it may still list workers that are gone.
  const alive = new Set<Worker>();

  const fork = (): void => {
    const worker = cluster.fork();
    alive.add(worker);
    // A worker that exits while the primary still writes to it (e.g. the reply to a listen it sent
    // just before a SIGTERM) fails that write with EPIPE; unhandled, it would crash the primary.
    worker.on('error', (err) => log('warn', 'worker channel error', { workerPid: worker.process.pid, error: err.message }));
  };

  // One line for the service, however many workers hit the same failure.
  const failStartup = (fields: object, error: string): void => {
    log('fatal', 'worker failed to start; stopping', { ...fields, error });
    process.stderr.write(`startup error: ${error}\n`);
    cleanExits = false;
    shutdown('worker startup failure');
  };

  cluster.on('message', (worker, message) => {
    if (isStartupFailure(message) && !shuttingDown) failStartup({ workerPid: worker.process.pid }, message.startupError);
  });

  answerScrapes((listener) => cluster.on('message', listener));

  cluster.on('listening', (worker, address) => {
    listening.add(worker);
    log('info', 'worker listening', { workerPid: worker.process.pid, port: address.port });
  });

  cluster.on('exit', (worker, code, signal) => {
    const fields = { workerPid: worker.process.pid, code, signal };
    alive.delete(worker);
    if (shuttingDown) {
      // A worker killed by our SIGTERM before its handlers existed never
      // listened, so it had nothing in flight: that is a clean stop too.
      const stoppedBeforeServing = signal === 'SIGTERM' && !listening.has(worker);
      if (code !== 0 && !stoppedBeforeServing) cleanExits = false;
      log('info', 'worker stopped', fields);
      if (alive.size === 0) {
        log('info', 'all workers stopped', { exitCode: cleanExits ? 0 : 1 });
        process.exit(cleanExits ? 0 : 1);
      }
      return;
    }
    if (!listening.has(worker)) {
      // It never served: replacing it would only loop (e.g. port already in use).
      failStartup(fields, `worker exited (code ${code}, signal ${signal}) before listening`);
      return;
    }
    log('warn', 'worker died unexpectedly; replacing it', fields);
    fork();
  });

  const shutdown = (reason: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log('info', 'shutting down', { reason });
    if (alive.size === 0) process.exit(cleanExits ? 0 : 1);
    for (const worker of alive) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log('error', 'shutdown timed out; killing remaining workers', { shutdownTimeoutMs: config.shutdownTimeoutMs });
      for (const worker of alive) worker.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs);
  };

  // As PID 1 in a container nothing else handles these; without handlers PID 1 ignores SIGTERM.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  log('info', 'primary started', { workers: config.workers, host: config.host, port: config.port });
  for (let i = 0; i < config.workers; i++) fork();
}
