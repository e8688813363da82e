import type { LockedPackage } from './base-image-lock';
import type { AppBundle } from './bundle';
import type { CheckPlan, HardenedProfile, HealthTiming } from './check-plan';
import type { DatabaseEngine, RuntimeKind } from './container-image-props';
import type { PackageManager } from './package-manager';

/**
 * The `ContainerImage` declaration with every default applied and every
 * value validated: the one object the Dockerfile, `.dockerignore`, tasks,
 * docs, workflow, check plan, verify and bench read. Written whole to
 * {@link CONTAINER_SPEC_PATH}.
 */
export interface ResolvedContainer {
  /** Image repository, e.g. `my-api`. */
  readonly imageName: string;
  /** The version of a build without `VERSION` (a development build); CI passes the release's. */
  readonly version: string;
  /** The OCI title label. */
  readonly title: string;
  /** The OCI source label, when the project has a repository. */
  readonly sourceUrl?: string;

  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  readonly port: number;
  readonly workers: number;
  /** Readiness: the HEALTHCHECK's path. */
  readonly healthPath: string;
  /** Liveness, when the app has one. */
  readonly livenessPath?: string;
  /** What Prometheus scrapes, on {@link port}, when the app serves metrics. */
  readonly metricsPath?: string;
  readonly sizeBudgetMb: number;
  /** The app's drain limit after SIGTERM, in ms. */
  readonly shutdownTimeoutMs: number;

  /** Absolute WORKDIR of the runtime stage. */
  readonly workdir: string;
  /** Compiled entry point relative to `workdir`, e.g. `lib/index.js`. */
  readonly entrypoint: string;
  /** The image's CMD, exec form. */
  readonly cmd: readonly string[];
  /** The app's database, when it declares one; see {@link ContainerImageProps.database}. */
  readonly database?: { readonly engine: DatabaseEngine };
  /** The command that migrates the database inside the image, when the app has one. */
  readonly migrateCommand?: readonly string[];

  readonly srcdir: string;
  readonly libdir: string;
  readonly tsconfigFile: string;
  /** What installs the dependencies, frozen to its lockfile: in the image, the Makefile and the workflows. */
  readonly packageManager: PackageManager;
  /** Project paths that only build or test it (tests, projen's config and code): never in the image. */
  readonly buildOnlyPaths: readonly string[];
  /** Runtime files and folders copied into `workdir`, relative to the project root. */
  readonly assets: readonly string[];
  /** What is bundled, so the image runs without node_modules. */
  readonly bundle: AppBundle;
  /** Runtime environment, the derived variables included. */
  readonly env: Readonly<Record<string, string>>;
  /** Image labels; `${REVISION}` and `${CREATED}` are build args. */
  readonly labels: Readonly<Record<string, string>>;
  /** The project's devDependencies, with the executables each installs. */
  readonly devDependencies: Readonly<Record<string, readonly string[]>>;

  /**
   * Full references the stages start FROM, `tag@digest` where the lock pins
   * the tag: `build` compiles, `runtime` is what the runtime is made from.
   */
  readonly baseImages: { readonly build: string; readonly runtime: string };
  /** What the app runs on; see {@link ContainerImageProps.runtime}. */
  readonly runtime: RuntimeKind;
  /** What to do when no Docker engine answers; see {@link ContainerImageProps.engineHelp}. */
  readonly engineHelp: string;
  /** The Node major the app is built and tested on: the node image's, the workflows'. */
  readonly nodeMajor: number;
  /** The platforms the image is built, verified and published for, e.g. `linux/arm64`. */
  readonly platforms: readonly string[];
  /**
   * The Debian packages the runtime is assembled from, with what
   * container.lock.json locks of each on every platform (none unless
   * `runtime` is `minimal`).
   */
  readonly debianPackages: readonly DebianPackage[];

  readonly healthcheck: HealthTiming;
  readonly hardened: HardenedProfile;
  /** How long `docker stop` of a healthy container may take: the drain limit and a little slack. */
  readonly stopLimitMs: number;

  readonly checks: CheckPlan;
}

/** A Debian package of the runtime. */
export interface DebianPackage {
  readonly name: string;
  /** Its files are in the image, so it gets a dpkg status entry; otherwise a build-only tool. */
  readonly ships: boolean;
  /** Platform → the version and architecture the lock holds there; a platform the lock lacks is absent. */
  readonly locked: Readonly<Record<string, LockedPackage>>;
}

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
