import * as z from 'zod';

/** Where a page ended: the last course's exact created_at (microseconds, UTC) and id. */
export interface CoursePosition {
  createdAt: string;
  id: string;
}

// PostgreSQL keeps microseconds; a JavaScript Date would round them to milliseconds and skip or repeat rows.
// A real calendar instant, in a year PostgreSQL accepts (it has no year 0): the database never sees one it refuses.
const exactTimestamp = z.iso.datetime({ precision: 6 }).refine((text) => !text.startsWith('0000-'));

const positionSchema = z.tuple([exactTimestamp, z.uuid()]);

/** Opaque to clients, so the ordering behind it can change without breaking them. */
export function encodeCursor(position: CoursePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export const cursorSchema = z.string().transform((text, context): CoursePosition => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = positionSchema.safeParse(decoded);
  if (!parsed.success) {
    context.addIssue({ code: 'custom', message: `is not a cursor returned by this API, got ${JSON.stringify(text.slice(0, 60))}` });
    return z.NEVER;
  }
  return { createdAt: parsed.data[0], id: parsed.data[1] };
});
