import type { HardenedProfile, HealthTiming } from './check-plan';
// The platforms a declaration may name are the ones the engine layer knows the architectures of.
export { archOf, PLATFORM_ARCHES } from '../engine/platforms';

/**
 * Props for {@link ContainerImage}. Everything not here is derived from the
 * project: name, version, srcdir/libdir, tsconfig, entry point, lockfile and
 * devDependencies.
 */
export interface ContainerImageProps {
  /** Image repository name, e.g. `my-api`. */
  readonly imageName: string;
  /** The port the app listens on inside the container. */
  readonly port: number;
  /**
   * The readiness path: 2xx when the app can take traffic, its database
   * included when it declares one. The HEALTHCHECK probes it. Like the other
   * paths: absolute, of letters, digits, `-._~` and `/`, and distinct from
   * the other declared paths.
   */
  readonly healthPath: string;
  /**
   * The liveness path: 2xx while the process can serve, whatever its
   * dependencies say, so an orchestrator restarts only a stuck process.
   * Left out, nothing probes one, and config/default.json has none: the
   * app's loader should take it as optional, serving no such endpoint.
   * @default - none: the app has no liveness endpoint
   */
  readonly livenessPath?: string;
  /**
   * The path Prometheus scrapes, on the app's port.
   * @default - none: the app serves no metrics, so nothing is told to scrape it
   */
  readonly metricsPath?: string;
  /** Upper bound for the uncompressed image size, in MB (10^6 bytes). */
  readonly sizeBudgetMb: number;
  /**
   * How long the app drains in-flight requests after SIGTERM before it gives
   * up, in ms: orchestrators must wait longer than this before SIGKILL.
   */
  readonly shutdownTimeoutMs: number;
  /**
   * Cluster workers the app forks, exported as `WEB_CONCURRENCY`: 1 to
   * {@link MAX_WORKERS} (64), the bound the app's config loader holds too.
   * @default DEFAULT_WORKERS - one process, the safe choice when the host's cores are unknown
   */
  readonly workers?: number;
  /**
   * Runtime user and group name.
   * @default DEFAULT_USER
   */
  readonly user?: string;
  /**
   * Numeric uid of the runtime user. Fixed, so volume ownership and
   * `runAsUser` policies do not depend on the base image's passwd file.
   * @default DEFAULT_UID - above 10000, so it cannot collide with a host's or base image's users
   */
  readonly uid?: number;
  /**
   * Numeric gid of the runtime group.
   * @default - the uid: one private group per service user
   */
  readonly gid?: number;
  /**
   * Runtime files and folders copied from the project into the image, relative
   * to the project root. Each must exist.
   * @default - none
   */
  readonly assets?: string[];
  /**
   * The app's config defaults file, written from this declaration: its own
   * values with the declared facts (`port`, `workers`, the health paths,
   * `shutdownTimeoutMs`) on top, so the app reads each fact from here.
   * @default - no file: the app learns the facts from the image's env only
   */
  readonly appConfig?: AppConfigProps;
  /**
   * The database the app reads {@link DATABASE_URL_ENV} for. Declared, the
   * components add it wherever the app runs: PostgreSQL in compose, the
   * Secret the pods read the URL from and the egress to the database, and
   * `healthPath` is expected to answer 503 while it is unreachable.
   * @default - none: the app has no database, and nothing generated mentions one
   */
  readonly database?: DatabaseProps;
  /**
   * The command, in exec form, that migrates the declared `database` inside
   * the image. Verify runs it against `VERIFY_DATABASE_URL`.
   * @default - the app has no migrations
   */
  readonly migrateCommand?: string[];
  /**
   * Extra runtime environment. `NODE_ENV`, `PORT` and `WEB_CONCURRENCY` are
   * derived; secret-looking keys are refused (pass secrets at run time).
   * @default - only the derived variables
   */
  readonly env?: Record<string, string>;
  /**
   * Extra image labels next to the derived OCI ones.
   * @default - only the derived labels
   */
  readonly labels?: Record<string, string>;
  /**
   * Node image for the build and deps stages (and the runtime when `runtime` is `node`).
   * @default - `node:<major>-trixie-slim`, on the Debian release of the runtime. The major is the project's
   *   `minNodeVersion`'s, the Node the app is tested on; a project that declares none gets
   *   {@link DEFAULT_NODE_MAJOR}
   */
  readonly nodeImage?: string;
  /**
   * Debian image the `minimal` runtime is assembled in, or the `debian` runtime starts from.
   * @default DEFAULT_RUNTIME_IMAGE - the same Debian release as the node image, so node's libraries match
   */
  readonly runtimeImage?: string;
  /**
   * What the app runs on. `minimal`: node, its libraries, CA certificates,
   * `whoami` and the user's passwd entry on an empty base, no shell.
   * `debian`: node on `runtimeImage`, with a shell to debug. `node`:
   * `nodeImage` itself, npm and its CVE surface included.
   * @default DEFAULT_RUNTIME - the app needs node only, and every file more is bytes to pull and findings to triage
   */
  readonly runtime?: RuntimeKind;
  /**
   * What to do when no Docker engine answers: the end of the one-line error
   * every task prints then, e.g. how this project's machines start one.
   * @default DEFAULT_ENGINE_HELP
   */
  readonly engineHelp?: string;
  /**
   * Value of the `org.opencontainers.image.source` label.
   * @default - the `repository` of package.json; no label when neither is set
   */
  readonly sourceUrl?: string;
  /**
   * The platforms the image is built, verified and published for, as one
   * multi-platform index. The first one the engine runs natively is the one
   * `<imageName>:<version>` and `latest` name locally.
   * @default DEFAULT_PLATFORMS - amd64 and arm64: the two that cloud nodes and developer machines run
   */
  readonly platforms?: string[];
}

/** See {@link ContainerImageProps.database}. */
export interface DatabaseProps {
  /** The engine compose runs for development and the container workflow for verify. */
  readonly engine: DatabaseEngine;
}

export type DatabaseEngine = 'postgres';
export const DATABASE_ENGINES: readonly DatabaseEngine[] = ['postgres'];
/** Where the app reads its database's URL: the variable compose, the pods, `docker:run` and verify set. */
export const DATABASE_URL_ENV = 'DATABASE_URL';

/**
 * Where an app's config defaults are written unless declared elsewhere:
 * where node-config and its kin look. An app reads its config without the
 * construct, so with this default the path is stated once more, in the app
 * itself, and nowhere in the project's declaration.
 */
export const DEFAULT_APP_CONFIG_PATH = 'config/default.json';

/** See {@link ContainerImageProps.appConfig}. */
export interface AppConfigProps {
  /**
   * The JSON file, relative to the project root; it must lie inside an asset.
   * @default DEFAULT_APP_CONFIG_PATH - where node-config and most apps look for their defaults
   */
  readonly path?: string;
  /**
   * The app's other defaults; the declared facts may not be among them.
   * @default - none
   */
  readonly values?: Readonly<Record<string, unknown>>;
}

export type RuntimeKind = 'minimal' | 'debian' | 'node';
export const RUNTIME_KINDS: readonly RuntimeKind[] = ['minimal', 'debian', 'node'];

export const DEFAULT_RUNTIME: RuntimeKind = 'minimal';
export const DEFAULT_WORKERS = 1;
/**
 * The most cluster workers an app forks: more processes than a large node
 * has cores only add heaps and context switches. The app bounds
 * `WEB_CONCURRENCY` the same way, so a declaration it would refuse never
 * synthesizes.
 */
export const MAX_WORKERS = 64;
export const DEFAULT_USER = 'app';
export const DEFAULT_UID = 10001;
/** The Debian release every default base image is built on, so node's libraries match the runtime's. */
export const DEBIAN_RELEASE = 'trixie';
export const DEFAULT_RUNTIME_IMAGE = `debian:${DEBIAN_RELEASE}-slim`;
/**
 * The Node major of a project without `minNodeVersion`: 24, a long-term-support line (maintained until
 * April 2028) and the one this construct's images and checks are tested on. The image, the bundle's target
 * and the container workflow's Node all follow it; declare `minNodeVersion` to choose another.
 */
export const DEFAULT_NODE_MAJOR = 24;
/** The official node image of a major on {@link DEBIAN_RELEASE}. */
export const nodeImageOf = (major: number): string => `node:${major}-${DEBIAN_RELEASE}-slim`;

/**
 * The minimal runtime's Debian packages: `ships`, every package whose files
 * the image carries (whoami, the loader and the libraries ldd lists for node
 * and whoami, the CA bundle, os-release, by which scanners know the
 * distribution); `tools`, what the rootfs stage needs and never ships (strip).
 * Both are installed at the versions container.lock.json locks.
 */
export const MINIMAL_PACKAGES = {
  ships: ['base-files', 'ca-certificates', 'coreutils', 'libc6', 'libgcc-s1', 'libstdc++6'],
  tools: ['binutils'],
} as const;

export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64'];
export const WORKDIR = '/app';
export const DEFAULT_ENGINE_HELP = 'start the Docker engine, or point DOCKER_HOST at one that runs';
/**
 * The version of an image built without `VERSION`: a development build.
 * Never the package's version, which projen's release machinery keeps at
 * 0.0.0 between releases and bumps only inside the release job; CI passes
 * the release's version, or `0.0.0-main.<sha>` on the main branch.
 */
export const DEV_VERSION = '0.0.0-dev';

/**
 * HEALTHCHECK timing: a probe every 30 s that may take 5 s, three misses to
 * unhealthy, and 10 s of start-up grace, since the app is up in about one.
 */
export const HEALTH_TIMING: HealthTiming = { intervalS: 30, timeoutS: 5, startPeriodS: 10, retries: 3 };

/**
 * What a restricted orchestrator imposes: an arbitrary uid (OpenShift picks
 * one per namespace), read-only root with a writable /tmp, no capabilities,
 * no privilege escalation.
 */
export const HARDENED_PROFILE: HardenedProfile = {
  user: '4242:4242',
  readOnlyRootFilesystem: true,
  tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
  capDrop: ['ALL'],
  noNewPrivileges: true,
};

/**
 * What `docker stop` of an idle container may take beyond the app's own
 * drain limit: closing the pool and the process exiting. An app that ignores
 * SIGTERM overruns it by far (Docker waits its full grace, then SIGKILLs).
 */
export const STOP_SLACK_MS = 1000;
