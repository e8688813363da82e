import { RunResult, RunScope } from '../containers';
import { HttpAnswer } from '../http';
import { VerifySpec } from '../load-spec';
import { oneLine, Row, row, skipped } from '../report';
import { describeHttp, serve } from './health';

const CHECK = 'migrates and serves with a database';

/** Hides passwords of connection strings in text before it is printed or written to the report. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}

/** `checks.db` from the health body, or undefined when the body is not the JSON we expect. */
export function dbCheck(body: string): unknown {
  try {
    return (JSON.parse(body) as { checks?: { db?: unknown } }).checks?.db;
  } catch {
    return undefined;
  }
}

export function judgeDatabase(migrate: RunResult | Error, http: HttpAnswer | Error | undefined, url: string): Row[] {
  const migrateText = migrate instanceof Error
    ? `error: ${oneLine(migrate.message)}`
    : `exit ${migrate.exitCode}${migrate.exitCode ? `: ${oneLine(migrate.stderr || migrate.stdout).slice(-160)}` : ''}`;
  const db = http && !(http instanceof Error) ? dbCheck(http.body) : undefined;
  return [
    row('10a', CHECK, 'node scripts/migrate.js up exits 0', redact(migrateText), !(migrate instanceof Error) && migrate.exitCode === 0),
    row('10b', CHECK, `GET ${url} → 200, checks.db "ok"`, redact(describeHttp(http)),
      !(http instanceof Error) && http?.status === 200 && db === 'ok'),
  ];
}

/**
 * Runs only when VERIFY_DATABASE_URL is given: migrations are the part of
 * the image most likely to work on a laptop and fail in production (missing
 * migrations/ folder, a devDependency needed at run time).
 */
export async function checkDatabase(scope: RunScope, spec: VerifySpec, opts: {
  databaseUrl?: string;
  port: number;
  healthTest: readonly string[] | undefined;
}): Promise<Row[]> {
  if (!opts.databaseUrl) {
    return [skipped('10', CHECK, 'migrate up exits 0; /health checks.db "ok"', 'skipped: VERIFY_DATABASE_URL not set')];
  }
  const env = { DATABASE_URL: opts.databaseUrl };
  const migrate = await scope.run({ name: 'migrate', entrypoint: ['node'], cmd: ['scripts/migrate.js', 'up'], env, network: 'host' }, 120_000)
    .catch((e: Error) => e);
  const served = await serve(scope, { name: 'db', env }, { port: opts.port, healthPath: spec.healthPath, healthTest: opts.healthTest, timing: spec.healthcheck });
  await served.container.remove({ force: true }).catch(() => undefined);
  return judgeDatabase(migrate, served.http, served.url);
}
