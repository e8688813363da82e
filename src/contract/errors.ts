import type { FastifySchema } from 'fastify';
import * as z from 'zod';

/** Every error answer, whoever writes it: our handlers, fastify's validation, or node's parser. */
export const errorSchema = z.object({
  error: z.string().meta({ description: "The status code's reason phrase", example: 'Bad Request' }),
  message: z.string().meta({ description: 'What went wrong, written for the client' }),
  field: z.string().optional().meta({ description: 'On a 400: the input field at fault, as a dotted path' }),
  requestId: z.string().optional().meta({ description: 'On a 500 only: the id of the log line that holds the details' }),
});

export type ErrorBody = z.infer<typeof errorSchema>;

const described = (description: string) => errorSchema.describe(description);

/** The error answers a route can give, by status code, with what each means. */
export const errors = {
  400: described('The input is invalid (`field` names it), or the request could not be parsed or has no Host'),
  404: described('No such resource'),
  408: described('The request was not received within the time limit; the connection is closed'),
  413: described('The body is larger than the server accepts'),
  414: described('A path parameter is longer than the server accepts'),
  415: described('The body is not JSON in UTF-8'),
  417: described('The request expects something other than 100-continue'),
  431: described('The request headers are larger than the server accepts; the connection is closed'),
  500: described('An unexpected failure; `requestId` leads to the log line'),
  503: described('The database is unavailable or busy; retry after the `Retry-After` seconds'),
} as const;

export const pick = <K extends keyof typeof errors>(...codes: K[]): Pick<typeof errors, K> =>
  Object.fromEntries(codes.map((code) => [code, errors[code]])) as Pick<typeof errors, K>;

/**
 * The error answers of every operation, whatever its handler does, derived from what it accepts, so
 * no route restates them: a request that cannot be read or has no Host (400, 408, 431), an unknown
 * expectation (417), an unexpected failure (500), a body too large or not JSON (413, 415), a path
 * parameter too long (414). A route's own declaration of a status wins.
 */
export function withSharedErrors<S extends FastifySchema>(schema: S): S {
  const shared = pick(400, 408, 417, 431, 500, ...(schema.body ? [413, 415] as const : []), ...(schema.params ? [414] as const : []));
  return { ...schema, response: { ...shared, ...schema.response as object } };
}
