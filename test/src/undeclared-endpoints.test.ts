import { inject } from './support/http';
import { repoPrompts, testConfig } from './support/test-config';
import { buildApp } from '../../src/app';

// The image may declare no liveness or metrics path; the app then serves neither, as the declaration says.
it.each([
  ['livenessPath', '/health/live'],
  ['metricsPath', '/metrics'],
] as const)('without %s, nothing answers at %s, and the other endpoints still do', async (field, path) => {
  const served = buildApp({ config: testConfig(), prompts: repoPrompts(), version: '0.0.0', logger: false });
  const undeclared = buildApp({ config: testConfig({ [field]: undefined }), prompts: repoPrompts(), version: '0.0.0', logger: false });
  try {
    expect((await inject(served, { method: 'GET', url: path })).statusCode).toBe(200);
    expect((await inject(undeclared, { method: 'GET', url: path })).statusCode).toBe(404);
    expect((await inject(undeclared, { method: 'GET', url: '/api/v1/prompts' })).statusCode).toBe(200);
  } finally {
    await Promise.all([served.close(), undeclared.close()]);
  }
});
