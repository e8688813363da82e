import * as z from 'zod';
import { lockedPackageSchema } from './base-image-lock';
import { appBundleSchema } from './bundle';
import { checkPlanSchema, hardenedProfileSchema, healthTimingSchema } from './check-plan';
import { DATABASE_ENGINES, RUNTIME_KINDS } from './container-image-props';
import { packageManagerSchema } from './package-manager';
import { record, strings, text } from './spec-fields';
import {
  command, id, imageName, imageRef, loginName, oneLine, oneOf, platforms, port, shutdownTimeoutMs, sizeBudgetMb, urlPath, workers,
} from './validation';

/** A Debian package of the runtime. */
export const debianPackageSchema = z.strictObject({
  name: text,
  /** Its files are in the image, so it gets a dpkg status entry; otherwise a build-only tool. */
  ships: z.boolean(),
  /** Platform → the version and architecture the lock holds there; a platform the lock lacks is absent. */
  locked: z.record(z.string(), lockedPackageSchema).readonly(),
}).readonly();
export type DebianPackage = z.infer<typeof debianPackageSchema>;

/**
 * The `ContainerImage` declaration with every default applied and every
 * value validated: the one object the Dockerfile, `.dockerignore`, tasks,
 * docs, workflow, check plan, verify and bench read. Written whole to
 * {@link CONTAINER_SPEC_PATH} under {@link SPEC_SCHEMA_VERSION}; `readSpec()`
 * validates it with this schema, and its type is inferred from it.
 */
export const resolvedContainerSchema = z.strictObject({
  /** Image repository, e.g. `my-api`. */
  imageName,
  /** The version of a build without `VERSION` (a development build); CI passes the release's. */
  version: text,
  /** The OCI title label. */
  title: text,
  /** The OCI source label, when the project has a repository. */
  sourceUrl: text.optional(),

  user: loginName,
  uid: id,
  gid: id,
  port,
  workers,
  /** Readiness: the HEALTHCHECK's path. */
  healthPath: urlPath,
  /** Liveness, when the app has one. */
  livenessPath: urlPath.optional(),
  /** What Prometheus scrapes, on the app's port, when the app serves metrics. */
  metricsPath: urlPath.optional(),
  sizeBudgetMb,
  /** The app's drain limit after SIGTERM, in ms. */
  shutdownTimeoutMs,

  /** Absolute WORKDIR of the runtime stage. */
  workdir: z.string().regex(/^\//),
  /** Compiled entry point relative to `workdir`, e.g. `lib/index.js`. */
  entrypoint: text,
  /** The image's CMD, exec form. */
  cmd: strings,
  /** The app's database, when it declares one; see {@link ContainerImageProps.database}. */
  database: z.strictObject({ engine: oneOf(DATABASE_ENGINES) }).readonly().optional(),
  /** The command that migrates the database inside the image, when the app has one. */
  migrateCommand: command.readonly().optional(),

  srcdir: text,
  libdir: text,
  tsconfigFile: text,
  /** What installs the dependencies, frozen to its lockfile: in the image, the Makefile and the workflows. */
  packageManager: packageManagerSchema,
  /** Project paths that only build or test it (tests, projen's config and code): never in the image. */
  buildOnlyPaths: strings,
  /** Runtime files and folders copied into `workdir`, relative to the project root. */
  assets: strings,
  /** What is bundled, so the image runs without node_modules. */
  bundle: appBundleSchema,
  /** Runtime environment, the derived variables included. */
  env: record,
  /** Image labels; `${REVISION}` and `${CREATED}` are build args. */
  labels: record,
  /** The project's devDependencies, with the executables each installs. */
  devDependencies: z.record(z.string(), strings).readonly(),

  /**
   * Full references the stages start FROM, `tag@digest` where the lock pins
   * the tag: `build` compiles, `runtime` is what the runtime is made from.
   */
  baseImages: z.strictObject({ build: imageRef, runtime: imageRef }).readonly(),
  /** What the app runs on; see {@link ContainerImageProps.runtime}. */
  runtime: oneOf(RUNTIME_KINDS),
  /** What to do when no Docker engine answers; see {@link ContainerImageProps.engineHelp}. */
  engineHelp: oneLine,
  /** The Node major the app is built and tested on: the node image's, the workflows'. */
  nodeMajor: z.number().int().positive(),
  /** The platforms the image is built, verified and published for, e.g. `linux/arm64`. */
  platforms: platforms.readonly(),
  /**
   * The Debian packages the runtime is assembled from, with what
   * container.lock.json locks of each on every platform (none unless
   * `runtime` is `minimal`).
   */
  debianPackages: z.array(debianPackageSchema).readonly(),

  healthcheck: healthTimingSchema,
  hardened: hardenedProfileSchema,
  /** How long `docker stop` of a healthy container may take: the drain limit and a little slack. */
  stopLimitMs: z.number().int().positive(),

  checks: checkPlanSchema,
}).readonly();
export type ResolvedContainer = z.infer<typeof resolvedContainerSchema>;

/** Where projen writes the {@link ResolvedContainer}, relative to the project root. */
export const CONTAINER_SPEC_PATH = '.projen/container.json';

/**
 * The layout version of {@link CONTAINER_SPEC_PATH}. Bump it with any change
 * a reader of the older file would misread; `readSpec()` refuses any other.
 */
export const SPEC_SCHEMA_VERSION = 4;

/** The content of {@link CONTAINER_SPEC_PATH}: the model under its schema version. */
export function specFileContent(r: ResolvedContainer): { readonly schemaVersion: number } & ResolvedContainer {
  return { schemaVersion: SPEC_SCHEMA_VERSION, ...r };
}
