import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '../database';
import { HttpError, parseInput } from '../http-errors';
import { cursorSchema, encodeCursor } from './course-cursor';

export interface Course {
  id: string;
  title: string;
  description: string | null;
  created_at: string;
}

// PostgreSQL's text cannot hold U+0000; refused here, the client hears which field holds it.
const storableText = z.string().refine((text) => !text.includes('\u0000'), 'must not contain a NUL character (U+0000)');

const createCourseBody = z.object({
  title: storableText.trim().min(1, 'must not be empty').max(200),
  description: storableText.trim().max(5000).nullish(),
});

const courseParams = z.object({ id: z.uuid('must be a UUID') });

export const defaultPageSize = 20;
export const maxPageSize = 100;

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(defaultPageSize),
  cursor: cursorSchema.optional(),
});

export interface CoursePage {
  items: Course[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

const columns = 'id, title, description, created_at';
// Keyset order, not OFFSET: stable while courses are added, and an index on (created_at, id) can serve any page.
const position = 'to_char(created_at AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') AS position';

export function registerCourseRoutes(app: FastifyInstance, db: Database | undefined): void {
  const database = (): Database => {
    if (!db) throw new HttpError(503, 'database not configured');
    return db;
  };

  app.post('/api/v1/courses', async (request, reply) => {
    const store = database();
    const body = parseInput(createCourseBody, request.body);
    const [course] = await store.transaction((query) => query<Course>(
      `INSERT INTO courses (title, description) VALUES ($1, $2) RETURNING ${columns}`,
      [body.title, body.description ?? null],
    ));
    return reply.code(201).send(course);
  });

  app.get('/api/v1/courses', async (request): Promise<CoursePage> => {
    const store = database();
    const { limit, cursor } = parseInput(listQuery, request.query);
    // One row more than asked tells whether another page follows.
    const rows = cursor
      ? await store.query<Course & { position: string }>(
        `SELECT ${columns}, ${position} FROM courses WHERE (created_at, id) > ($1::timestamptz, $2::uuid) ORDER BY created_at, id LIMIT $3`,
        [cursor.createdAt, cursor.id, limit + 1],
      )
      : await store.query<Course & { position: string }>(`SELECT ${columns}, ${position} FROM courses ORDER BY created_at, id LIMIT $1`, [limit + 1]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ position: _position, ...course }) => course),
      next_cursor: rows.length > limit ? encodeCursor({ createdAt: last.position, id: last.id }) : null,
    };
  });

  app.get('/api/v1/courses/:id', async (request) => {
    const store = database();
    const { id } = parseInput(courseParams, request.params);
    const [course] = await store.query<Course>(`SELECT ${columns} FROM courses WHERE id = $1`, [id]);
    if (!course) throw new HttpError(404, `course ${id} not found`);
    return course;
  });
}
