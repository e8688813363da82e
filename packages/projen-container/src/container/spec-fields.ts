import * as z from 'zod';

// The field kinds the spec's schema is built from, shared by the modules that
// declare its parts (the plan, the package manager, the bundle, the lock).

/** A non-empty string. */
export const text = z.string().min(1);
export const port = z.number().int().min(1).max(65535);
/** A uid or gid: root's 0 is never one. */
export const id = z.number().int().min(1);
export const strings = z.array(text).readonly();
export const record = z.record(z.string(), z.string()).readonly();
/** A URL path, from the root. */
export const urlPath = z.string().regex(/^\//);
