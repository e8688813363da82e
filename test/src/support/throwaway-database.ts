import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Loopback port 1: nothing listens there, so connections are refused at once. */
export const UNREACHABLE_DATABASE_URL = 'postgres://postgres@127.0.0.1:1/x';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface ThrowawayDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database per test file, so runs never see each other's rows. */
export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const name = `course_supporter_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdmin(action: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await action(client);
  } finally {
    await client.end();
  }
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMigrate(args: string[], env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts', 'migrate.js'), ...args], {
      env: { PATH: process.env.PATH, ...env },
      // Runs from elsewhere to prove paths resolve from the script, not the cwd.
      cwd: '/',
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failure = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

export async function queryOnce<Row>(url: string, text: string): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Row[];
  } finally {
    await client.end();
  }
}
