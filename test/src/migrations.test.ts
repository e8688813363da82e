import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from './support/throwaway-database';

const relationExists = async (url: string, name: string): Promise<boolean> => {
  const rows = await queryOnce<{ exists: boolean }>(url, `SELECT to_regclass('${name}') IS NOT NULL AS exists`);
  return rows[0].exists;
};
const coursesTableExists = (url: string) => relationExists(url, 'public.courses');
const keysetIndexExists = (url: string) => relationExists(url, 'public.courses_created_at_id');

describe('scripts/migrate.js', () => {
  let db: ThrowawayDatabase;
  beforeAll(async () => {
    db = await createThrowawayDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('applies the schema with "up", is idempotent, and reverts it one migration per "down"', async () => {
    const up = await runMigrate(['up'], { DATABASE_URL: db.url });
    expect(up).toMatchObject({ code: 0, stderr: '' });
    expect(up.stdout).toContain('create-courses');
    expect(up.stdout).toContain('courses-keyset-index');
    expect(await coursesTableExists(db.url)).toBe(true);
    expect(await keysetIndexExists(db.url)).toBe(true);

    const again = await runMigrate(['up'], { DATABASE_URL: db.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('migrate up: nothing to do');

    expect((await runMigrate(['down'], { DATABASE_URL: db.url })).code).toBe(0);
    expect(await keysetIndexExists(db.url)).toBe(false);
    expect(await coursesTableExists(db.url)).toBe(true);
    expect((await runMigrate(['down'], { DATABASE_URL: db.url })).code).toBe(0);
    expect(await coursesTableExists(db.url)).toBe(false);

    expect((await runMigrate(['up'], { DATABASE_URL: db.url })).code).toBe(0);
    expect(await coursesTableExists(db.url)).toBe(true);
  });

  it.each([[[]], [['sideways']], [['up', 'extra']]])('prints usage and exits 2 for arguments %j', async (args) => {
    const result = await runMigrate(args, { DATABASE_URL: db.url });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('usage: node scripts/migrate.js up|down  (DATABASE_URL must be set)');
  });

  it('exits 2 with one line when DATABASE_URL is missing', async () => {
    const result = await runMigrate(['up'], {});
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^migrate error: DATABASE_URL is not set/)]);
  });

  it('exits 1 with one error line when the database is unreachable', async () => {
    const result = await runMigrate(['up'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^migrate error: /);
  });
});
