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
export interface CheckPlan {
  readonly commands: readonly CommandCheck[];
  readonly fileExistence: readonly FileExistenceCheck[];
  readonly metadata: readonly MetadataCheck[];
  readonly runtime: readonly RuntimeCheck[];
}

export type CheckCategory = keyof CheckPlan;
export const CHECK_CATEGORIES: readonly CheckCategory[] = ['commands', 'fileExistence', 'metadata', 'runtime'];

interface CheckBase {
  /** Stable, kebab-case, unique across the plan, e.g. `whoami`. */
  readonly name: string;
  /** What passing proves, one sentence. */
  readonly title: string;
}

/** Runs `command` in a fresh container without a network, as the image's user. */
export interface CommandCheck extends CheckBase {
  /** The one platform whose image it checks, e.g. `linux/arm64`; every platform's when unset. */
  readonly platform?: string;
  /** Exec form: the first word replaces the entrypoint, so no shell is needed in the image. */
  readonly command: readonly string[];
  /** Trimmed stdout must equal this. */
  readonly expectedOutput: string;
}

/**
 * Paths and commands that must, or must not, exist in the image. `paths`
 * are absolute; `~/` stands for every home in the image's /etc/passwd, and
 * `**` for any depth of folders. `commands` are looked up on the image's PATH.
 */
export interface FileExistenceCheck extends CheckBase {
  readonly shouldExist: boolean;
  readonly paths: readonly string[];
  readonly commands?: readonly string[];
  /** With `shouldExist`, the kind each path must have. */
  readonly kind?: 'file' | 'dir';
}

/** Facts of `docker image inspect`, needing no container. */
export type MetadataCheck = CheckBase & (
  | { readonly field: 'exposedPort'; readonly port: number }
  | { readonly field: 'cmd'; readonly cmd: readonly string[] }
  | { readonly field: 'env'; readonly env: Readonly<Record<string, string>> }
  | { readonly field: 'user'; readonly user: string }
  | { readonly field: 'labels'; readonly keys: readonly string[] }
  /** No ENV key matches `pattern`, case-insensitively. */
  | { readonly field: 'noSecretEnv'; readonly pattern: string }
  | { readonly field: 'healthcheck'; readonly timing: HealthTiming }
  | { readonly field: 'size'; readonly maxMb: number }
);

/** The HEALTHCHECK's timing, in seconds. */
export interface HealthTiming {
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly startPeriodS: number;
  readonly retries: number;
}

/**
 * What an orchestrator with the restricted Pod Security Standard (or
 * OpenShift) imposes, written once: the hardened check, the docs and the
 * deploy manifests all read it.
 */
export interface HardenedProfile {
  /** An arbitrary uid:gid the image was not built for. */
  readonly user: string;
  readonly readOnlyRootFilesystem: boolean;
  /** Writable tmpfs mounts, path to mount options. */
  readonly tmpfs: Readonly<Record<string, string>>;
  readonly capDrop: readonly string[];
  readonly noNewPrivileges: boolean;
}

/** Behaviour of a running container. */
export type RuntimeCheck = CheckBase & (
  /** The image's own HEALTHCHECK turns healthy, and `path` answers 200 on the declared port. */
  | { readonly kind: 'healthy'; readonly path: string }
  /** The same under `profile`. */
  | { readonly kind: 'hardened'; readonly path: string; readonly profile: HardenedProfile }
  /** `docker stop` of the healthy container exits 0 within `limitMs`. */
  | { readonly kind: 'stop'; readonly limitMs: number }
  /** With a database: `command` exits 0, then `path` answers 200 with `checks.db` "ok". */
  | { readonly kind: 'database'; readonly command: readonly string[]; readonly path: string }
  /**
   * The image run with the settings of `container` in the Deployment that
   * `kubectl kustomize` renders from `kustomization` (a folder relative to the
   * project root): every probe answers 200, and `docker stop` exits 0 within
   * the pod's termination grace period. With `databasePath` (an app with a
   * database) the database is unreachable, and a probe of that path, the one
   * that follows the database, answers 503.
   */
  | { readonly kind: 'pod'; readonly kustomization: string; readonly container: string; readonly databasePath?: string }
);

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
