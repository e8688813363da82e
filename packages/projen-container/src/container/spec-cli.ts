#!/usr/bin/env node
/**
 * Prints a value of the resolved spec for shell scripts, which must not parse
 * JSON themselves: `npx projen-container-spec baseImages` prints
 * one value per line for arrays and objects, the value itself for scalars.
 */
import { readSpec, SpecError } from './read-spec';

function valueAt(spec: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => {
    if (typeof v !== 'object' || v === null || !(key in v)) throw new SpecError(`spec has no field "${path}"`);
    return (v as Record<string, unknown>)[key];
  }, spec);
}

function lines(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'object' && value !== null) return Object.values(value).map(String);
  return [String(value)];
}

const [field] = process.argv.slice(2);
try {
  if (!field) throw new SpecError('usage: spec-cli.ts <field[.subfield]>, e.g. baseImages');
  process.stdout.write(`${[...new Set(lines(valueAt(readSpec(process.env.CONTAINER_SPEC_PATH), field)))].join('\n')}\n`);
} catch (e) {
  process.stderr.write(`spec: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
