import * as path from 'node:path';
import type { Config } from '../../../src/config';
import { loadPrompts, type PromptCatalog } from '../../../src/prompts';

export const repoPromptsDir = path.resolve(__dirname, '..', '..', '..', 'prompts');

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    host: '127.0.0.1',
    port: 8000,
    workers: 1,
    healthPath: '/health',
    livenessPath: '/health/live',
    metricsPath: '/metrics',
    logLevel: 'info',
    database: { probeTimeoutMs: 500, probeWindowMs: 250, poolMax: 2, connectTimeoutMs: 500, acquireTimeoutMs: 1000, statementTimeoutMs: 1000 },
    shutdownTimeoutMs: 3000,
    requestTimeoutMs: 10_000,
    headersTimeoutMs: 5_000,
    keepAliveTimeoutMs: 65_000,
    promptsDir: repoPromptsDir,
    ...overrides,
  };
}

export function repoPrompts(): PromptCatalog {
  return loadPrompts(repoPromptsDir);
}
