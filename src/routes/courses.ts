import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '../database';
import { HttpError, parseInput } from '../http-errors';

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

const columns = 'id, title, description, created_at';

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

  app.get('/api/v1/courses', async () => {
    const store = database();
    return store.query<Course>(`SELECT ${columns} FROM courses ORDER BY created_at, id`);
  });

  app.get('/api/v1/courses/:id', async (request) => {
    const store = database();
    const { id } = parseInput(courseParams, request.params);
    const [course] = await store.query<Course>(`SELECT ${columns} FROM courses WHERE id = $1`, [id]);
    if (!course) throw new HttpError(404, `course ${id} not found`);
    return course;
  });
}
