import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app';
import { createDatabase } from '../../../src/database';
import { type Course, defaultPageSize, maxPageSize } from '../../../src/routes/courses';
import { inject } from '../support/http';
import { repoPrompts, testConfig } from '../support/test-config';
import { createThrowawayDatabase, queryOnce, runMigrate, type ThrowawayDatabase } from '../support/throwaway-database';

const cursorAt = (createdAt: string): string => Buffer.from(JSON.stringify([createdAt, '6f1c1a39-0a8e-4f57-9b0c-2b9c0a1e2d3f'])).toString('base64url');

describe('GET /api/v1/courses pages', () => {
  let throwaway: ThrowawayDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    throwaway = await createThrowawayDatabase();
    expect((await runMigrate(['up'], { DATABASE_URL: throwaway.url })).code).toBe(0);
    const config = testConfig();
    app = buildApp({ config, prompts: repoPrompts(), db: createDatabase(throwaway.url, config.database, () => undefined), version: '0.0.0', logger: false });
  });
  beforeEach(async () => {
    await queryOnce(throwaway.url, 'TRUNCATE courses');
  });
  afterAll(async () => {
    await app?.close();
    await throwaway?.drop();
  });

  const page = async (query: string): Promise<{ items: Course[]; next_cursor: string | null }> => {
    const response = await inject(app, { method: 'GET', url: `/api/v1/courses${query}` });
    expect(response.statusCode).toBe(200);
    return response.json();
  };

  /** Follows next_cursor to the end; returns the ids of every page. */
  const allPages = async (limit: number, between?: (pageNumber: number) => Promise<void>): Promise<string[][]> => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const { items, next_cursor: next }: { items: Course[]; next_cursor: string | null } =
        await page(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(items.map((c) => c.id));
      cursor = next;
      await between?.(pages.length);
    } while (cursor !== null);
    return pages;
  };

  const insert = (valuesSql: string): Promise<unknown> => queryOnce(throwaway.url, `INSERT INTO courses (title, created_at) VALUES ${valuesSql}`);
  const idsInOrder = async (): Promise<string[]> =>
    (await queryOnce<{ id: string }>(throwaway.url, 'SELECT id FROM courses ORDER BY created_at, id')).map((r) => r.id);

  it(`serves ${defaultPageSize} by default, at most ${maxPageSize}, with a cursor to the next page`, async () => {
    await insert(`${Array.from({ length: 120 }, (_, i) => `('c${i}', now() + interval '${i} ms')`).join(', ')}`);
    const first = await page('');
    expect(first.items).toHaveLength(defaultPageSize);
    expect(first.items[0]).toEqual({ id: expect.any(String), title: 'c0', description: null, created_at: expect.any(String) });
    expect(typeof first.next_cursor).toBe('string');
    expect((await page(`?limit=${maxPageSize}`)).items).toHaveLength(maxPageSize);
    expect((await allPages(maxPageSize)).flat()).toEqual(await idsInOrder());
  });

  it('pages through ties on created_at and rows microseconds apart without skipping or repeating', async () => {
    // A JavaScript Date would round these to the same millisecond.
    await insert('(\'a\', \'2025-01-01T00:00:00.000100Z\'), (\'b\', \'2025-01-01T00:00:00.000200Z\'), (\'c\', \'2025-01-01T00:00:00.000300Z\')');
    // Same statement, same now(): ordered by id.
    await insert('(\'t1\', \'2025-01-01T00:00:00.000300Z\'), (\'t2\', \'2025-01-01T00:00:00.000300Z\'), (\'t3\', \'2025-01-01T00:00:00.000300Z\')');
    const pages = await allPages(1);
    expect(pages.flat()).toEqual(await idsInOrder());
    expect(pages.flat()).toHaveLength(6);
    expect(pages.at(-1)).toHaveLength(1);
  });

  it('is stable while courses are added between pages', async () => {
    await insert(`${Array.from({ length: 6 }, (_, i) => `('c${i}', now() + interval '${i} ms')`).join(', ')}`);
    const before = await idsInOrder();
    const pages = await allPages(2, async (n) => {
      if (n === 1) await insert('(\'added while paging\', now() + interval \'1 hour\')');
    });
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, before.length)).toEqual(before);
    expect(seen).toHaveLength(before.length + 1);
  });

  it.each([
    ['limit=0', 'limit'],
    [`limit=${maxPageSize + 1}`, 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('["2025-01-01", "x"]').toString('base64url')}`, 'cursor'],
    // Well-formed, but no instant PostgreSQL accepts: refused by the cursor's schema, not by the database.
    [`cursor=${cursorAt('0000-01-01T00:00:00.000000Z')}`, 'cursor'],
    [`cursor=${cursorAt('2026-02-30T00:00:00.000000Z')}`, 'cursor'],
  ])('answers ?%s with a 400 naming the field', async (query, field) => {
    const response = await inject(app, { method: 'GET', url: `/api/v1/courses?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message: expect.stringMatching(new RegExp(`^${field}: `)), field });
  });
});
