import * as z from 'zod';

/** Where a page ended: the last course's exact created_at (microseconds, UTC) and id. */
export interface CoursePosition {
  createdAt: string;
  id: string;
}

// PostgreSQL keeps microseconds; a JavaScript Date would round them to milliseconds and skip or repeat rows.
const exactTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const positionSchema = z.tuple([
  z.string().regex(exactTimestamp).refine((text) => !Number.isNaN(Date.parse(text))),
  z.uuid(),
]);

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
