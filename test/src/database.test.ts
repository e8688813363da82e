import { Client } from 'pg';
import { testConfig } from './support/test-config';
import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';
import type { DatabaseConfig } from '../../src/config';
import { createDatabase, type Database } from '../../src/database';
import { classifyDatabaseError } from '../../src/database-errors';

// A transaction's connection, lost while the transaction holds it: what PostgreSQL's restart does.
describe('transaction()', () => {
  let throwaway: ThrowawayDatabase;
  const databases: Database[] = [];

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase();
    expect((await runMigrate(['up'], { DATABASE_URL: throwaway.url })).code).toBe(0);
  });
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((db) => db.close()));
  });
  afterAll(async () => {
    await throwaway?.drop();
  });

  const database = (config: Partial<DatabaseConfig> = {}): Database => {
    const db = createDatabase(throwaway.url, { ...testConfig().database, ...config }, () => undefined);
    databases.push(db);
    return db;
  };

  it('rejects with the server\'s FATAL, classified unavailable, when its backend is terminated between two statements', async () => {
    // One connection: the transaction after the failure proves the lost one was discarded, not reused.
    const db = database({ poolMax: 1 });
    const outcome = db.transaction(async (query) => {
      const [{ pid }] = await query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // With a timeout, pg_terminate_backend answers once the backend has exited: its FATAL is on our socket, and
      // is read while no statement of ours is in flight (queryOnce's own disconnect takes another turn of the loop).
      const [{ terminated }] = await queryOnce<{ terminated: boolean }>(throwaway.url, `SELECT pg_terminate_backend(${pid}, 5000) AS terminated`);
      expect(terminated).toBe(true);
      return query('SELECT 1');
    });
    // Had the client's 'error' event gone unheard, it would have thrown out of the socket's handler: an
    // uncaught exception, which fails this test (and, in the service, ends the process) before this line.
    const err = await outcome.then(() => undefined, (failure: unknown) => failure);
    expect(err).toMatchObject({ code: '57P01' });
    expect(classifyDatabaseError(err)).toEqual({ kind: 'unavailable', reason: 'shutting-down' });
    await expect(db.transaction((query) => query<{ one: number }>('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
  });

  it('leaves no listener behind on the pooled connection it returns', async () => {
    // The connection itself is the pool's business: its queries say which it is.
    const query = jest.spyOn(Client.prototype, 'query');
    try {
      const db = database({ poolMax: 1 });
      const errorListeners = (): number[] => [...new Set(query.mock.contexts as Client[])].map((client) => client.listenerCount('error'));
      await db.transaction((q) => q('SELECT 1'));
      const afterOne = errorListeners();
      for (let i = 0; i < 10; i++) await db.transaction((q) => q('SELECT 1'));
      expect(afterOne).toHaveLength(1);
      expect(errorListeners()).toEqual(afterOne);
    } finally {
      query.mockRestore();
    }
  });
});
