import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { buildApp } from '../../src/app';

// fastify's default compilers are for JSON Schema; ours compile zod. Loading them only cost start-up time.
jest.mock('@fastify/ajv-compiler', () => {
  throw new Error('fastify loaded its default validator compiler (ajv)');
});
jest.mock('@fastify/fast-json-stringify-compiler', () => {
  throw new Error('fastify loaded its default serializer compiler (fast-json-stringify)');
});

it('validates and serialises with the zod compilers alone: fastify never loads its JSON Schema ones', async () => {
  const config = testConfig();
  const app = buildApp({ config, prompts: repoPrompts(), version: '0.0.0', logger: false });
  try {
    const invalid = await inject(app, { method: 'POST', url: '/api/v1/courses', payload: { description: 'no title' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: 'Bad Request', field: 'title' });
    const live = await inject(app, { method: 'GET', url: config.livenessPath! });
    expect(live.json()).toEqual({ status: 'ok', version: '0.0.0' });
  } finally {
    await app.close();
  }
});
