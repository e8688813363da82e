/**
 * The resolved declaration of a container image: everything `docker:verify`
 * (and the benchmarks) need to know, derived at synth time from the one
 * `ContainerImage` declaration in `.projenrc.ts` and the project itself.
 *
 * It is written by projen to {@link CONTAINER_SPEC_PATH} so that tools that
 * run outside synthesis read the same facts instead of restating them.
 */
export interface ContainerSpec {
  /** Image repository, e.g. `course-supporter`. */
  readonly imageName: string;
  /** The project's package version; the image is tagged with it and `latest`. */
  readonly version: string;
  /** Runtime user and group name, e.g. `app`. */
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  /** The port the app listens on inside the container (EXPOSE, PORT). */
  readonly port: number;
  /** The HTTP path the HEALTHCHECK and verification probe. */
  readonly healthPath: string;
  /** Cluster workers the app forks (WEB_CONCURRENCY). */
  readonly workers: number;
  /** Upper bound for the uncompressed image size, in MB (10^6 bytes). */
  readonly sizeBudgetMb: number;
  /** Absolute WORKDIR of the runtime stage, e.g. `/app`. */
  readonly workdir: string;
  /** Compiled entry point relative to `workdir`, e.g. `lib/index.js`. */
  readonly entrypoint: string;
  /** The image's CMD, exec form, e.g. `["node", "lib/index.js"]`. */
  readonly cmd: readonly string[];
  /** Runtime asset folders copied into `workdir`, e.g. `config`, `prompts`. */
  readonly assets: readonly string[];
  /** Names of the project's devDependencies: none may be in the image. */
  readonly devDependencies: readonly string[];
  /** The base images the Dockerfile names in FROM lines. */
  readonly baseImages: {
    /** Stage that installs and compiles (has npm). */
    readonly build: string;
    /** Stage the final image starts from. */
    readonly runtime: string;
  };
  /** Whether npm ships in the runtime image (`keepNpm`); when false, npm must be absent. */
  readonly npmInRuntime: boolean;
  /** Environment the runtime stage sets (NODE_ENV, PORT, WEB_CONCURRENCY, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** Label keys the image must carry (OCI annotations). */
  readonly labels: readonly string[];
  /** The HEALTHCHECK timing, in seconds: how long a verifier should wait for `healthy`. */
  readonly healthcheck: {
    readonly intervalS: number;
    readonly timeoutS: number;
    readonly startPeriodS: number;
    readonly retries: number;
  };
  /** Paths, relative to `workdir`, that must not exist in the image. */
  readonly forbiddenPaths: readonly string[];
  /** Absolute paths that must not exist in the image (npm's cache; npm itself unless `npmInRuntime`). */
  readonly forbiddenAbsolutePaths: readonly string[];
}

/** Where projen writes the resolved {@link ContainerSpec}, relative to the project root. */
export const CONTAINER_SPEC_PATH = '.projen/container.json';
