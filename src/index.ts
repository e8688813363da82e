import cluster from 'node:cluster';
import { firstLine } from './first-line';
import type { StartupFailure } from './startup-failure';

/**
 * Until the real handlers exist, a signal means nothing has started yet: exit 0 at once. Installed
 * before anything slow loads (zod, yaml, fastify, pg) because as PID 1 in a container a signal
 * without a handler is ignored, and `docker stop` would wait for its SIGKILL. Returns a disarm
 * function: the listener stays, because removing a signal's last listener closes node's watcher
 * and drops a signal that arrived during synchronous work but was not yet dispatched.
 */
function exitOnSignalWhileStarting(): () => void {
  let starting = true;
  const exitEarly = (): void => {
    if (starting) process.exit(0);
  };
  process.on('SIGTERM', exitEarly).on('SIGINT', exitEarly);
  return () => {
    starting = false;
  };
}

async function startPrimary(): Promise<void> {
  const starting = exitOnSignalWhileStarting();
  const { ConfigError, loadConfig } = await import('./config');
  const { loadPrompts, PromptError } = await import('./prompts');
  const { runPrimary } = await import('./primary');
  const { createPrimaryLog } = await import('./primary-log');
  try {
    // Validate everything before forking: a bad setting must exit once with
    // one line, not make every worker crash and be replaced in a loop.
    const config = loadConfig();
    const prompts = loadPrompts(config.promptsDir);
    if (config.workers === 1) {
      // One worker (every pod's setting): a primary would only fork it and relay signals, so this
      // process serves, with what it just loaded, and holds the shutdown deadline itself.
      const { runWorker } = await import('./worker');
      starting();
      await runWorker({ config, prompts });
      return;
    }
    starting();
    runPrimary(config, createPrimaryLog(config.logLevel));
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof PromptError;
    process.stderr.write(`${known ? err.message : `startup error: ${firstLine(err)}`}\n`);
    process.exit(1);
  }
}

async function startWorker(): Promise<void> {
  const starting = exitOnSignalWhileStarting();
  // Loaded only here: the primary never needs fastify or pg.
  const { runWorker } = await import('./worker');
  starting();
  await runWorker();
}

if (cluster.isPrimary) {
  startPrimary().catch((err: unknown) => {
    process.stderr.write(`startup error: ${firstLine(err)}\n`);
    process.exit(1);
  });
} else {
  startWorker().catch((err: unknown) => {
    // The primary reports it: once for the service, not once per worker.
    const report: StartupFailure = { startupError: firstLine(err) };
    process.send!(report, () => process.exit(1));
  });
}
