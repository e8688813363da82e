import { readFileSync } from 'fs';
import { join } from 'path';
import { checkPlanSchema, CONTAINER_SPEC_PATH, readSpec, resolvedContainerSchema, SPEC_SCHEMA_VERSION } from '../../../packages/projen-container/src';

const ROOT = join(__dirname, '..', '..', '..');

// `.projen/container.json` is one contract: a zod schema the package exports beside its schema
// version, which readSpec() validates with and the ResolvedContainer type is inferred from.
describe('the spec file\'s one contract', () => {
  const { '//': _marker, schemaVersion, ...fields } = JSON.parse(readFileSync(join(ROOT, CONTAINER_SPEC_PATH), 'utf8'));

  test('the committed spec is the schema\'s, under the schema version beside it', () => {
    expect(schemaVersion).toBe(SPEC_SCHEMA_VERSION);
    expect(resolvedContainerSchema.parse(fields)).toEqual(readSpec(join(ROOT, CONTAINER_SPEC_PATH)));
    expect(checkPlanSchema.parse(fields.checks)).toEqual(fields.checks);
  });

  test('a field the schema does not declare is refused, naming it', () => {
    const parsed = resolvedContainerSchema.safeParse({ ...fields, checks: { ...fields.checks, extra: [] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['checks'], keys: ['extra'] });
  });
});
