import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { cursorSchema, encodeCursor } from './course-cursor';
import { pick } from '../contract/errors';
import type { Database } from '../database';
import { HttpError } from '../http-errors';

const courseSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  created_at: z.iso.datetime().meta({ description: 'When it was created, UTC, in milliseconds' }),
}).describe('A course');
export type Course = z.infer<typeof courseSchema>;

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
  cursor: cursorSchema.optional().meta({ description: "The previous page's next_cursor" }),
});

const pageSchema = z.object({
  items: z.array(courseSchema),
  next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last one' }),
}).describe('A page of courses, oldest first');

type CourseRow = Omit<Course, 'created_at'> & { created_at: Date };

const columns = 'id, title, description, created_at';
// Keyset order, not OFFSET: stable while courses are added, and an index on (created_at, id) can serve any page.
const position = 'to_char(created_at AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') AS position';

const toCourse = ({ id, title, description, created_at }: CourseRow): Course => ({ id, title, description, created_at: created_at.toISOString() });

export interface CourseRoutesOptions {
  /** Absent: every course route answers 503 "database not configured". */
  readonly db?: Database;
}

export const courseRoutes: FastifyPluginAsyncZod<CourseRoutesOptions> = async (app, { db }) => {
  const database = (): Database => {
    if (!db) throw new HttpError(503, 'database not configured');
    return db;
  };

  app.post('/courses', {
    schema: {
      summary: 'Create a course',
      body: createCourseBody,
      response: { 201: courseSchema.describe('The course as stored'), ...pick(503) },
    },
  }, async (request, reply) => {
    const store = database();
    const { title, description } = request.body;
    const [course] = await store.transaction((query) => query<CourseRow>(
      `INSERT INTO courses (title, description) VALUES ($1, $2) RETURNING ${columns}`,
      [title, description ?? null],
    ));
    return reply.code(201).send(toCourse(course));
  });

  app.get('/courses', {
    schema: {
      summary: 'List courses, a page at a time',
      querystring: listQuery,
      response: { 200: pageSchema, ...pick(503) },
    },
  }, async (request) => {
    const store = database();
    const { limit, cursor } = request.query;
    // One row more than asked tells whether another page follows.
    const rows = cursor
      ? await store.query<CourseRow & { position: string }>(
        `SELECT ${columns}, ${position} FROM courses WHERE (created_at, id) > ($1::timestamptz, $2::uuid) ORDER BY created_at, id LIMIT $3`,
        [cursor.createdAt, cursor.id, limit + 1],
      )
      : await store.query<CourseRow & { position: string }>(`SELECT ${columns}, ${position} FROM courses ORDER BY created_at, id LIMIT $1`, [limit + 1]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toCourse),
      next_cursor: rows.length > limit ? encodeCursor({ createdAt: last.position, id: last.id }) : null,
    };
  });

  app.get('/courses/:id', {
    schema: {
      summary: 'Get one course',
      params: courseParams,
      response: { 200: courseSchema, ...pick(404, 503) },
    },
  }, async (request) => {
    const store = database();
    const { id } = request.params;
    const [course] = await store.query<CourseRow>(`SELECT ${columns} FROM courses WHERE id = $1`, [id]);
    if (!course) throw new HttpError(404, `course ${id} not found`);
    return toCourse(course);
  });
};
