import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { packageRoot } from '../../src/package-root';

const declared = JSON.parse(readFileSync(path.join(packageRoot, 'config', 'default.json'), 'utf8'));

function rootWithDefaults(defaults: unknown): string {
  const root = mkdtempSync(path.join(tmpdir(), 'config-test-'));
  mkdirSync(path.join(root, 'config'));
  writeFileSync(path.join(root, 'config', 'default.json'), JSON.stringify(defaults));
  return root;
}

function configError(env: NodeJS.ProcessEnv, root = packageRoot): string {
  try {
    loadConfig(env, root);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('takes its defaults from config/default.json, ignoring the projen marker', () => {
    expect(declared['//']).toBeDefined();
    expect(loadConfig({})).toEqual({
      host: declared.host,
      port: declared.port,
      workers: declared.workers,
      healthPath: declared.healthPath,
      livenessPath: declared.livenessPath,
      metricsPath: declared.metricsPath,
      logLevel: declared.logLevel,
      database: {
        url: undefined,
        probeTimeoutMs: declared.database.probeTimeoutMs,
        probeWindowMs: declared.database.probeWindowMs ?? 250,
        poolMax: declared.database.poolMax,
        connectTimeoutMs: declared.database.connectTimeoutMs ?? 500,
        acquireTimeoutMs: declared.database.acquireTimeoutMs ?? 1000,
        statementTimeoutMs: declared.database.statementTimeoutMs ?? 1000,
      },
      shutdownTimeoutMs: declared.shutdownTimeoutMs,
      requestTimeoutMs: declared.requestTimeoutMs ?? 10_000,
      headersTimeoutMs: declared.headersTimeoutMs ?? 5_000,
      keepAliveTimeoutMs: declared.keepAliveTimeoutMs ?? 65_000,
      promptsDir: path.join(packageRoot, declared.promptsDir),
    });
  });

  it('resolves promptsDir from the package root, not the cwd', () => {
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      expect(loadConfig({}).promptsDir).toBe(path.join(packageRoot, 'prompts'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('applies the environment overrides', () => {
    const config = loadConfig({
      PORT: '9001',
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '4',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgres://app@db:5432/courses',
    });
    expect(config).toMatchObject({
      port: 9001,
      host: '127.0.0.1',
      workers: 4,
      logLevel: 'warn',
      database: { url: 'postgres://app@db:5432/courses' },
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: declared.port, database: { url: undefined } });
  });

  it.each([
    ['PORT', 'notaport', 'config error: PORT must be an integer 1-65535, got "notaport"'],
    ['PORT', '0', 'config error: PORT must be an integer 1-65535, got "0"'],
    ['PORT', '65536', 'config error: PORT must be an integer 1-65535, got "65536"'],
    ['PORT', '80.5', 'config error: PORT must be an integer 1-65535, got "80.5"'],
    ['HOST', '   ', 'config error: HOST must be a non-empty host name or address, got "   "'],
    ['WEB_CONCURRENCY', '0', 'config error: WEB_CONCURRENCY must be an integer 1-64 (the number of worker processes), got "0"'],
    ['WEB_CONCURRENCY', 'two', 'config error: WEB_CONCURRENCY must be an integer 1-64 (the number of worker processes), got "two"'],
    ['LOG_LEVEL', 'verbose', 'config error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    ['DATABASE_URL', 'mysql://db/x', 'config error: DATABASE_URL must be a postgres:// or postgresql:// URL, got "mysql://db/x"'],
    ['DATABASE_URL', 'not a url', 'config error: DATABASE_URL must be a postgres:// or postgresql:// URL, got "not a url"'],
  ])('rejects %s=%s with one line naming the variable', (name, value, message) => {
    const error = configError({ [name]: value });
    expect(error).toBe(message);
    expect(error).not.toContain('\n');
  });

  it('rejects a defaults file with a wrong value, naming the file and key', () => {
    const root = rootWithDefaults({ ...declared, database: { ...declared.database, poolMax: 0 } });
    expect(configError({}, root)).toMatch(/^config error: .*default\.json: database\.poolMax: /);
  });

  it('rejects a defaults file with an unknown key, so typos do not pass silently', () => {
    const root = rootWithDefaults({ ...declared, prot: 1 });
    expect(configError({}, root)).toMatch(/default\.json: .*prot/);
  });

  it('takes livenessPath from the defaults file, where .projenrc.ts declares it', () => {
    expect(loadConfig({}, rootWithDefaults({ ...declared, livenessPath: '/livez' })).livenessPath).toBe('/livez');
  });

  // The image may declare neither (ContainerImageProps: "none: the app has no liveness endpoint"), and then
  // writes neither: the app starts without them rather than refusing what synthesized.
  it('starts without livenessPath and metricsPath when the image declares neither', () => {
    const { livenessPath: _liveness, metricsPath: _metrics, ...without } = declared;
    const config = loadConfig({}, rootWithDefaults(without));
    expect([config.livenessPath, config.metricsPath]).toEqual([undefined, undefined]);
  });

  it.each([
    [{ livenessPath: '/health' }, 'config error: livenessPath must differ from healthPath, both are "/health"'],
    [{ metricsPath: '/health/live', livenessPath: '/health/live' }, 'config error: metricsPath must differ from livenessPath, both are "/health/live"'],
    [{ requestTimeoutMs: 1000, headersTimeoutMs: 2000 }, 'config error: headersTimeoutMs must not exceed requestTimeoutMs (1000), got 2000'],
  ])('rejects inconsistent settings %j', (settings, message) => {
    const root = rootWithDefaults({ ...declared, healthPath: '/health', ...settings });
    expect(configError({}, root)).toBe(message);
  });

  it('reports a missing defaults file on one line', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'config-test-'));
    const error = configError({}, root);
    expect(error).toMatch(/^config error: cannot read .*default\.json: ENOENT/);
    expect(error).not.toContain('\n');
  });
});
