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
  400: described('The input is invalid; `field` names it'),
  404: described('No such resource'),
  413: described('The body is larger than the server accepts'),
  415: described('The body is not JSON'),
  500: described('An unexpected failure; `requestId` leads to the log line'),
  503: described('The database is unavailable or busy; retry after the `Retry-After` seconds'),
} as const;

export const pick = <K extends keyof typeof errors>(...codes: K[]): Pick<typeof errors, K> =>
  Object.fromEntries(codes.map((code) => [code, errors[code]])) as Pick<typeof errors, K>;
