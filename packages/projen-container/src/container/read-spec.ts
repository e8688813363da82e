import { existsSync, readFileSync } from 'fs';
import * as z from 'zod';
import type { CheckPlan, HardenedProfile, HealthTiming, MetadataCheck, RuntimeCheck } from './check-plan';
import { DATABASE_ENGINES, PLATFORM_ARCHES, RUNTIME_KINDS } from './container-image-props';
import { PACKAGE_MANAGER_NAMES } from './package-manager';
import type { ResolvedContainer } from './resolved-container';
import { CONTAINER_SPEC_PATH, SPEC_SCHEMA_VERSION } from './resolved-container';

/**
 * The one reader of `.projen/container.json`, for every tool that runs
 * outside synthesis (verify, bench, CI scripts through `spec-cli.ts`). It
 * validates rather than trusts: a stale or hand-edited file fails with the
 * field's path, not with a TypeError deep inside a check.
 */
export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

const text = z.string().min(1);
const port = z.number().int().min(1).max(65535);
const id = z.number().int().min(1);
const strings = z.array(text).readonly();
const record = z.record(z.string(), z.string()).readonly();

const timing: z.ZodType<HealthTiming> = z.strictObject({
  intervalS: z.number().positive(),
  timeoutS: z.number().positive(),
  startPeriodS: z.number().min(0),
  retries: z.number().int().min(1),
});

const hardened: z.ZodType<HardenedProfile> = z.strictObject({
  user: text,
  readOnlyRootFilesystem: z.boolean(),
  tmpfs: record,
  capDrop: strings,
  noNewPrivileges: z.boolean(),
});

const base = { name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/), title: text };

const metadata: z.ZodType<MetadataCheck> = z.discriminatedUnion('field', [
  z.strictObject({ ...base, field: z.literal('exposedPort'), port }),
  z.strictObject({ ...base, field: z.literal('cmd'), cmd: strings }),
  z.strictObject({ ...base, field: z.literal('env'), env: record }),
  z.strictObject({ ...base, field: z.literal('user'), user: text }),
  z.strictObject({ ...base, field: z.literal('labels'), keys: strings }),
  z.strictObject({ ...base, field: z.literal('noSecretEnv'), pattern: text }),
  z.strictObject({ ...base, field: z.literal('healthcheck'), timing }),
  z.strictObject({ ...base, field: z.literal('size'), maxMb: z.number().positive() }),
]);

const urlPath = z.string().regex(/^\//);
const runtime: z.ZodType<RuntimeCheck> = z.discriminatedUnion('kind', [
  z.strictObject({ ...base, kind: z.literal('healthy'), path: urlPath }),
  z.strictObject({ ...base, kind: z.literal('hardened'), path: urlPath, profile: hardened }),
  z.strictObject({ ...base, kind: z.literal('stop'), limitMs: z.number().int().positive() }),
  z.strictObject({ ...base, kind: z.literal('database'), command: strings, path: urlPath }),
  z.strictObject({ ...base, kind: z.literal('pod'), kustomization: text, container: text, databasePath: urlPath.optional() }),
]);

const plan: z.ZodType<CheckPlan> = z.strictObject({
  commands: z.array(z.strictObject({ ...base, platform: text.optional(), command: strings, expectedOutput: z.string() })).readonly(),
  fileExistence: z.array(z.strictObject({
    ...base,
    shouldExist: z.boolean(),
    paths: z.array(z.string().regex(/^(\/|~\/)/)).readonly(),
    commands: strings.optional(),
    kind: z.enum(['file', 'dir']).optional(),
  })).readonly(),
  metadata: z.array(metadata).readonly(),
  runtime: z.array(runtime).readonly(),
});

export const resolvedContainerSchema: z.ZodType<ResolvedContainer> = z.strictObject({
  imageName: text,
  version: text,
  title: text,
  sourceUrl: text.optional(),
  user: text,
  uid: id,
  gid: id,
  port,
  workers: z.number().int().min(1),
  healthPath: urlPath,
  livenessPath: urlPath.optional(),
  metricsPath: urlPath.optional(),
  sizeBudgetMb: z.number().positive(),
  shutdownTimeoutMs: z.number().int().positive(),
  workdir: z.string().regex(/^\//),
  entrypoint: text,
  cmd: strings,
  database: z.strictObject({ engine: z.enum(DATABASE_ENGINES) }).optional(),
  migrateCommand: strings.optional(),
  srcdir: text,
  libdir: text,
  tsconfigFile: text,
  packageManager: z.strictObject({ name: z.enum(PACKAGE_MANAGER_NAMES), lockFile: text, install: text, version: text.optional() }),
  buildOnlyPaths: strings,
  assets: strings,
  bundle: z.strictObject({
    entries: z.array(z.strictObject({ source: text, output: text })).readonly(),
    noticesFile: text,
    manifestsDir: text,
    noticesScript: text,
  }),
  env: record,
  labels: record,
  devDependencies: z.record(z.string(), strings).readonly(),
  baseImages: z.strictObject({ build: text, runtime: text }),
  runtime: z.enum(RUNTIME_KINDS),
  engineHelp: text,
  nodeMajor: z.number().int().positive(),
  platforms: z.array(z.enum(Object.keys(PLATFORM_ARCHES) as [string, ...string[]])).min(1).readonly(),
  debianPackages: z.array(z.strictObject({
    name: text,
    ships: z.boolean(),
    locked: z.record(z.string(), z.strictObject({ version: text.optional(), architecture: text.optional() })).readonly(),
  })).readonly(),
  healthcheck: timing,
  hardened,
  stopLimitMs: z.number().int().positive(),
  checks: plan,
});

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
