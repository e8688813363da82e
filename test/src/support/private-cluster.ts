import { execFile, execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service';

/**
 * A PostgreSQL cluster of the test's own, on a free loopback port: one the test may restart or stop, which the
 * shared cluster (TEST_ADMIN_DATABASE_URL) must never be.
 */
export interface PrivateCluster {
  /** The cluster's `postgres` database, as its `postgres` superuser (trust authentication). */
  readonly url: string;
  /** `pg_ctl restart -m fast`: every session is ended with FATAL 57P01; resolves once the server accepts connections again. */
  restart(): Promise<void>;
  /** Stops the server at once and deletes the cluster. */
  destroy(): Promise<void>;
}

const serverPrograms = ['initdb', 'pg_ctl'];
// Debian and Ubuntu install the server programs beside no PATH entry, one folder per major.
const debianRoot = '/usr/lib/postgresql';

const runs = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function findServerBin(): string | undefined {
  let majors: string[] = [];
  try {
    majors = readdirSync(debianRoot).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian layout here.
  }
  const folders = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...majors.map((major) => path.join(debianRoot, major, 'bin'))];
  return folders.find((folder) => serverPrograms.every((program) => runs(path.join(folder, program))));
}

/** The folder holding `initdb` and `pg_ctl`, if this machine has the PostgreSQL server. */
export const POSTGRES_SERVER_BIN = findServerBin();

const missing = `the PostgreSQL server programs (${serverPrograms.join(', ')}) are on neither PATH nor ${debianRoot}/<major>/bin`;

/**
 * Why suites needing a private cluster skip, or undefined when they run: where the server is installed, and in CI,
 * where its absence must fail them, not pass them.
 */
export function skipReason(serverBin: string | undefined, ci: string | undefined): string | undefined {
  return serverBin || ci ? undefined : `skipped: ${missing}`;
}

/** `describe` for suites needing a private cluster; skipped where the server is absent, saying why, outside CI. */
export function describeWithPostgresServer(name: string, suite: () => void): void {
  const reason = skipReason(POSTGRES_SERVER_BIN, process.env.CI);
  if (!reason) return describe(name, suite);
  // Written out as well: jest names skipped tests only in its verbose listing, and drops the console of a suite it skips.
  process.stderr.write(`${name}: ${reason}\n`);
  describe.skip(`${name} (${reason})`, suite);
}

// PostgreSQL refuses to run as root: then it runs as the postgres account, which owns the folder.
const asRoot = process.getuid?.() === 0;
const serverUser = 'postgres';

/** A new cluster from the server programs in `serverBin` (usually {@link POSTGRES_SERVER_BIN}); rejects, saying what is missing, without them. */
export async function startPrivateCluster(serverBin: string | undefined): Promise<PrivateCluster> {
  if (!serverBin) throw new Error(`no private PostgreSQL cluster: ${missing}`);
  const run = (program: string, args: string[]): Promise<unknown> => {
    const command = path.join(serverBin, program);
    return asRoot ? promisify(execFile)('runuser', ['-u', serverUser, '--', command, ...args]) : promisify(execFile)(command, args);
  };
  const folder = mkdtempSync(path.join(os.tmpdir(), 'private-postgres-'));
  if (asRoot) {
    const id = (flag: string): number => Number(execFileSync('id', [flag, serverUser], { encoding: 'utf8' }));
    chownSync(folder, id('-u'), id('-g'));
  }
  const data = path.join(folder, 'data');
  const port = await freePort();
  // The log file keeps the server's output off pg_ctl's pipe, which would otherwise stay open while the server runs.
  const pgCtl = (...args: string[]): Promise<unknown> => run('pg_ctl', ['-D', data, '-l', path.join(folder, 'log'), '-w', ...args]);
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    // The socket goes into the test's folder, not the shared cluster's /var/run/postgresql.
    await pgCtl('-o', `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1`, 'start');
  } catch (err) {
    rmSync(folder, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    // pg_ctl restarts with the options the server was started with.
    restart: async () => { await pgCtl('-m', 'fast', 'restart'); },
    destroy: async () => {
      try {
        await pgCtl('-m', 'immediate', 'stop');
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
