import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { pick } from '../contract/errors';
import { HttpError } from '../http-errors';
import type { PromptCatalog } from '../prompts';

const promptParams = z.object({ name: z.string().regex(/^[a-z0-9-]+$/, 'must be a kebab-case template name') });

const summarySchema = z.object({
  name: z.string(),
  description: z.string(),
  version: z.string().meta({ description: 'Semantic version of the template' }),
  variables: z.array(z.string()).readonly().meta({ description: 'The placeholders the body uses, as {{name}}' }),
});
const templateSchema = summarySchema.extend({ body: z.string() }).describe('One template, with its body');

export interface PromptRoutesOptions {
  readonly prompts: PromptCatalog;
}

export const promptRoutes: FastifyPluginAsyncZod<PromptRoutesOptions> = async (app, { prompts }) => {
  // Validated once at startup and read-only afterwards: the list is computed once too.
  const list = [...prompts.values()].map(({ name, description, version, variables }) => ({ name, description, version, variables }));

  app.get('/prompts', {
    schema: {
      summary: 'List the LLM prompt templates, without their bodies',
      response: { 200: z.array(summarySchema).describe('Every template, by name') },
    },
  }, async () => list);

  app.get('/prompts/:name', {
    schema: {
      summary: 'Get one prompt template',
      params: promptParams,
      response: { 200: templateSchema, ...pick(404) },
    },
  }, async (request) => {
    const { name } = request.params;
    const prompt = prompts.get(name);
    if (!prompt) throw new HttpError(404, `prompt ${name} not found`);
    return prompt;
  });
};
