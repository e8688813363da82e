import { existsSync, readFileSync } from 'fs';
import { VerifyError } from './errors';
import { CONTAINER_SPEC_PATH, ContainerSpec } from '../container/container-spec';

/** What verify reads: the whole spec, which the construct in the same repo writes. */
export type VerifySpec = ContainerSpec;

/** Where the spec is read from: `CONTAINER_SPEC_PATH` overrides projen's default. */
export function specPath(env: NodeJS.ProcessEnv): string {
  return env.CONTAINER_SPEC_PATH || CONTAINER_SPEC_PATH;
}

export function loadSpec(path: string): VerifySpec {
  if (!existsSync(path)) {
    throw new VerifyError(`no container spec at ${path}: run npx projen to synthesize it (or set CONTAINER_SPEC_PATH)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new VerifyError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return validateSpec(parsed, path);
}

type Kind = 'string' | 'number' | 'boolean' | 'string[]' | 'record' | 'baseImages' | 'healthcheck';
// Keyed by every ContainerSpec field: adding one there breaks this file's type-check until it is validated here.
const FIELDS: Record<keyof ContainerSpec, Kind> = {
  imageName: 'string',
  version: 'string',
  user: 'string',
  uid: 'number',
  gid: 'number',
  port: 'number',
  healthPath: 'string',
  workers: 'number',
  sizeBudgetMb: 'number',
  workdir: 'string',
  entrypoint: 'string',
  assets: 'string[]',
  devDependencies: 'string[]',
  baseImages: 'baseImages',
  env: 'record',
  labels: 'string[]',
  forbiddenPaths: 'string[]',
  cmd: 'string[]',
  npmInRuntime: 'boolean',
  healthcheck: 'healthcheck',
  forbiddenAbsolutePaths: 'string[]',
};

/**
 * Checks the shape rather than trusting it: a stale or hand-edited spec
 * should fail with the field's name, not with a `TypeError` deep inside a
 * check.
 */
export function validateSpec(value: unknown, path: string): VerifySpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifyError(`${path}: expected a JSON object`);
  }
  const obj = value as Record<string, unknown>;
  for (const [field, kind] of Object.entries(FIELDS)) {
    if (!hasKind(obj[field], kind)) {
      throw new VerifyError(`${path}: field "${field}" must be ${describe(kind)} (got ${JSON.stringify(obj[field])})`);
    }
  }
  if (!String(obj.workdir).startsWith('/')) {
    throw new VerifyError(`${path}: field "workdir" must be absolute (got ${JSON.stringify(obj.workdir)})`);
  }
  return obj as unknown as VerifySpec;
}

function hasKind(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string': return typeof v === 'string' && v.length > 0;
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'record': return typeof v === 'object' && v !== null && !Array.isArray(v)
      && Object.values(v).every((x) => typeof x === 'string');
    case 'baseImages': return typeof v === 'object' && v !== null
      && hasKind((v as Record<string, unknown>).build, 'string') && hasKind((v as Record<string, unknown>).runtime, 'string');
    case 'healthcheck': return typeof v === 'object' && v !== null
      && ['intervalS', 'timeoutS', 'startPeriodS', 'retries'].every((k) => hasKind((v as Record<string, unknown>)[k], 'number'));
  }
}

function describe(kind: Kind): string {
  switch (kind) {
    case 'string': return 'a non-empty string';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'healthcheck': return 'an object { intervalS, timeoutS, startPeriodS, retries } of numbers';
    case 'string[]': return 'an array of strings';
    case 'record': return 'an object of strings';
    case 'baseImages': return 'an object { build, runtime } of image names';
  }
}
