import { existsSync, readFileSync } from 'fs';
import type { ResolvedContainer } from './resolved-container';
import { CONTAINER_SPEC_PATH, resolvedContainerSchema, SPEC_SCHEMA_VERSION } from './resolved-container';
import { OneLineError } from '../engine/errors';

/**
 * The one reader of `.projen/container.json`, for every tool that runs
 * outside synthesis (verify, bench, CI scripts through `spec-cli.ts`). It
 * validates rather than trusts: a stale or hand-edited file fails with the
 * field's path, not with a TypeError deep inside a check.
 */
export class SpecError extends OneLineError {}

/** Validates a parsed spec; `source` names it in errors. */
export function parseSpec(value: unknown, source: string): ResolvedContainer {
  const { '//': _marker, schemaVersion, ...fields } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof value === 'object' && value !== null && schemaVersion !== SPEC_SCHEMA_VERSION) {
    const found = schemaVersion === undefined ? 'no schemaVersion' : `schemaVersion ${JSON.stringify(schemaVersion)}`;
    throw new SpecError(`${source} has ${found}, these tools read ${SPEC_SCHEMA_VERSION}: run npx projen to regenerate it`);
  }
  const parsed = resolvedContainerSchema.safeParse(typeof value === 'object' && value !== null ? fields : value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SpecError(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads and validates the spec at `path` (relative to the working directory by default). */
export function readSpec(path: string = CONTAINER_SPEC_PATH): ResolvedContainer {
  if (!existsSync(path)) throw new SpecError(`no container spec at ${path}: run npx projen to synthesize it`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SpecError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseSpec(json, path);
}
