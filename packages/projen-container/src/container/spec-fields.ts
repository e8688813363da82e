import * as z from 'zod';

// The field kinds the spec's schema is built from, shared by the modules that
// declare its parts (the plan, the package manager, the bundle, the lock). The
// declared facts' rules are validation.ts's, shared with synthesis.

/** A non-empty string. */
export const text = z.string().min(1);
export const strings = z.array(text).readonly();
export const record = z.record(z.string(), z.string()).readonly();
