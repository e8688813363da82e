import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, parseInput } from '../http-errors';
import type { PromptCatalog } from '../prompts';

const promptParams = z.object({ name: z.string().regex(/^[a-z0-9-]+$/, 'must be a kebab-case template name') });

export function registerPromptRoutes(app: FastifyInstance, prompts: PromptCatalog): void {
  app.get('/api/v1/prompts', async () => {
    return [...prompts.values()].map(({ name, description, version, variables }) => ({ name, description, version, variables }));
  });

  app.get('/api/v1/prompts/:name', async (request) => {
    const { name } = parseInput(promptParams, request.params);
    const prompt = prompts.get(name);
    if (!prompt) throw new HttpError(404, `prompt ${name} not found`);
    return prompt;
  });
}
