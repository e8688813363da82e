import * as z from 'zod';
import { record, strings, text } from './spec-fields';
import { port, urlPath } from './validation';
import type { HealthTiming } from '../engine/health';

const checkBase = {
  /** Stable, kebab-case, unique across the plan, e.g. `whoami`. */
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  /** What passing proves, one sentence. */
  title: text,
};
/** What every check has: its name and what passing proves. */
export const checkBaseSchema = z.strictObject(checkBase).readonly();
export type CheckBase = z.infer<typeof checkBaseSchema>;

/** Runs `command` in a fresh container without a network, as the image's user. */
export const commandCheckSchema = z.strictObject({
  ...checkBase,
  /** The one platform whose image it checks, e.g. `linux/arm64`; every platform's when unset. */
  platform: text.optional(),
  /** Exec form: the first word replaces the entrypoint, so no shell is needed in the image. */
  command: strings,
  /** Trimmed stdout must equal this. */
  expectedOutput: z.string(),
}).readonly();
export type CommandCheck = z.infer<typeof commandCheckSchema>;

/**
 * Paths and commands that must, or must not, exist in the image. `paths`
 * are absolute; `~/` stands for every home in the image's /etc/passwd, and
 * `**` for any depth of folders. `commands` are looked up on the image's PATH.
 */
export const fileExistenceCheckSchema = z.strictObject({
  ...checkBase,
  shouldExist: z.boolean(),
  paths: z.array(z.string().regex(/^(\/|~\/)/)).readonly(),
  commands: strings.optional(),
  /** With `shouldExist`, the kind each path must have. */
  kind: z.enum(['file', 'dir']).optional(),
}).readonly();
export type FileExistenceCheck = z.infer<typeof fileExistenceCheckSchema>;

/** The HEALTHCHECK's timing, in seconds. */
export const healthTimingSchema = z.strictObject({
  intervalS: z.number().positive(),
  timeoutS: z.number().positive(),
  startPeriodS: z.number().min(0),
  retries: z.number().int().min(1),
}).readonly() satisfies z.ZodType<HealthTiming>;
/** The engine's type, which the schema validates into: the engine imports nothing from the construct. */
export type { HealthTiming };

/**
 * What an orchestrator with the restricted Pod Security Standard (or
 * OpenShift) imposes, written once: the hardened check, the docs and the
 * deploy manifests all read it.
 */
export const hardenedProfileSchema = z.strictObject({
  /** An arbitrary uid:gid the image was not built for. */
  user: text,
  readOnlyRootFilesystem: z.boolean(),
  /** Writable tmpfs mounts, path to mount options. */
  tmpfs: record,
  capDrop: strings,
  noNewPrivileges: z.boolean(),
}).readonly();
export type HardenedProfile = z.infer<typeof hardenedProfileSchema>;

/** Facts of `docker image inspect`, needing no container. */
export const metadataCheckSchema = z.discriminatedUnion('field', [
  z.strictObject({ ...checkBase, field: z.literal('exposedPort'), port }).readonly(),
  z.strictObject({ ...checkBase, field: z.literal('cmd'), cmd: strings }).readonly(),
  z.strictObject({ ...checkBase, field: z.literal('env'), env: record }).readonly(),
  z.strictObject({ ...checkBase, field: z.literal('user'), user: text }).readonly(),
  z.strictObject({ ...checkBase, field: z.literal('labels'), keys: strings }).readonly(),
  /** No ENV key matches `pattern`, case-insensitively. */
  z.strictObject({ ...checkBase, field: z.literal('noSecretEnv'), pattern: text }).readonly(),
  z.strictObject({ ...checkBase, field: z.literal('healthcheck'), timing: healthTimingSchema }).readonly(),
  z.strictObject({ ...checkBase, field: z.literal('size'), maxMb: z.number().positive() }).readonly(),
]);
export type MetadataCheck = z.infer<typeof metadataCheckSchema>;

/** Behaviour of a running container. */
export const runtimeCheckSchema = z.discriminatedUnion('kind', [
  /** The image's own HEALTHCHECK turns healthy, and `path` answers 200 on the declared port. */
  z.strictObject({ ...checkBase, kind: z.literal('healthy'), path: urlPath }).readonly(),
  /** The same under `profile`. */
  z.strictObject({ ...checkBase, kind: z.literal('hardened'), path: urlPath, profile: hardenedProfileSchema }).readonly(),
  /** `docker stop` of the healthy container exits 0 within `limitMs`. */
  z.strictObject({ ...checkBase, kind: z.literal('stop'), limitMs: z.number().int().positive() }).readonly(),
  /** With a database: `command` exits 0, then `path` answers 200 with `checks.db` "ok". */
  z.strictObject({ ...checkBase, kind: z.literal('database'), command: strings, path: urlPath }).readonly(),
  /**
   * The image run with the settings of `container` in the Deployment that
   * `kubectl kustomize` renders from `kustomization` (a folder relative to the
   * project root): every probe answers 200, and `docker stop` exits 0 within
   * the pod's termination grace period. With `databasePath` (an app with a
   * database) the database is unreachable, and a probe of that path, the one
   * that follows the database, answers 503.
   */
  z.strictObject({
    ...checkBase,
    kind: z.literal('pod'),
    kustomization: text,
    container: text,
    databasePath: urlPath.optional(),
    /** Set by verify, never synthesized: the image runs emulated, and the emulator shares the pod's memory limit. */
    emulated: z.literal(true).optional(),
  }).readonly(),
]);
export type RuntimeCheck = z.infer<typeof runtimeCheckSchema>;

/**
 * The checks an image must pass, as data, in container-structure-test's
 * categories plus the behavioural ones it lacks. The construct derives the
 * plan from the resolved declaration and writes it under `checks` in
 * `.projen/container.json`; `docker:verify` interprets it and
 * `docs/container.md` renders it, so a check exists in exactly one place.
 *
 * Every entry has a stable `name` (verify's rows, the report and the tests
 * use it) and a `title` that says what it proves, for people.
 */
export const checkPlanSchema = z.strictObject({
  commands: z.array(commandCheckSchema).readonly(),
  fileExistence: z.array(fileExistenceCheckSchema).readonly(),
  metadata: z.array(metadataCheckSchema).readonly(),
  runtime: z.array(runtimeCheckSchema).readonly(),
}).readonly();
export type CheckPlan = z.infer<typeof checkPlanSchema>;

export type CheckCategory = keyof CheckPlan;
export const CHECK_CATEGORIES: readonly CheckCategory[] = ['commands', 'fileExistence', 'metadata', 'runtime'];

/** Every entry of the plan, with its category, in plan order. */
export function planEntries(plan: CheckPlan): { category: CheckCategory; check: CheckBase }[] {
  return CHECK_CATEGORIES.flatMap((category) => plan[category].map((check: CheckBase) => ({ category, check })));
}

/** The plan one platform's image must pass: every entry but the other platforms' own. Pure. */
export function planFor(plan: CheckPlan, platform: string): CheckPlan {
  return { ...plan, commands: plan.commands.filter((c) => !c.platform || c.platform === platform) };
}

/**
 * How many times longer every time limit is for an image that runs emulated
 * (arm64 under QEMU on an amd64 engine): node starts in about 1 s there
 * instead of 0.1 s, so the native limits would fail a correct image.
 */
export const EMULATED_TIME_FACTOR = 5;
