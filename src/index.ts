import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config';
import { firstLine } from './first-line';
import { runPrimary } from './primary';
import { createPrimaryLog } from './primary-log';
import { loadPrompts, PromptError } from './prompts';

function startPrimary(): void {
  try {
    // Validate everything before forking: a bad setting must exit once with
    // one line, not make every worker crash and be replaced in a loop.
    const config = loadConfig();
    loadPrompts(config.promptsDir);
    runPrimary(config, createPrimaryLog(config.logLevel));
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof PromptError;
    process.stderr.write(`${known ? err.message : `startup error: ${firstLine(err)}`}\n`);
    process.exit(1);
  }
}

async function startWorker(): Promise<void> {
  // Loading fastify and pg takes a moment; a signal meanwhile means there is
  // nothing to drain, and dying of it would look like a crash to the primary.
  const exitEarly = (): never => process.exit(0);
  process.once('SIGTERM', exitEarly).once('SIGINT', exitEarly);
  // Loaded only here: the primary never needs fastify or pg, and skipping
  // them lets it install its signal handlers sooner.
  const { runWorker } = await import('./worker');
  process.off('SIGTERM', exitEarly).off('SIGINT', exitEarly);
  await runWorker();
}

if (cluster.isPrimary) {
  startPrimary();
} else {
  startWorker().catch((err: unknown) => {
    process.stderr.write(`worker startup error: ${firstLine(err)}\n`);
    process.exit(1);
  });
}
