import { spawnSync } from 'child_process';
import { join } from 'path';
import type { KubeObject } from '../../../packages/projen-container/src/container';

const VALIDATOR = join(__dirname, 'openapi-validate.mjs');

/**
 * Each object's findings against the Kubernetes OpenAPI models
 * (kubernetes-models' `validate()`), none when valid. kubernetes-models 5 is
 * ESM-only, which jest's loader cannot import, so node validates in a child
 * process: the same models, the same `validate()`.
 */
export function openApiErrors(objects: readonly KubeObject[]): string[][] {
  const run = spawnSync(process.execPath, [VALIDATOR], { input: JSON.stringify(objects), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openapi-validate.mjs exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}
