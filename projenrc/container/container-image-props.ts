import { posix } from 'path';

/**
 * Props for {@link ContainerImage}. Everything not here is derived from the
 * project: name, version, srcdir/libdir, tsconfig, entry point, devDependencies.
 */
export interface ContainerImageProps {
  /** Image repository name, e.g. `course-supporter`. */
  readonly imageName: string;
  /** The port the app listens on inside the container. */
  readonly port: number;
  /** The HTTP path the HEALTHCHECK probes; must answer 2xx when the app is up. */
  readonly healthPath: string;
  /** Upper bound for the uncompressed image size, in MB (10^6 bytes). */
  readonly sizeBudgetMb: number;
  /**
   * Cluster workers the app forks, exported as `WEB_CONCURRENCY`.
   * @default 1
   */
  readonly workers?: number;
  /**
   * Runtime user and group name.
   * @default 'app'
   */
  readonly user?: string;
  /**
   * Numeric uid of the runtime user. Fixed, so volume ownership and
   * `runAsUser` policies do not depend on the base image's passwd file.
   * @default 10001
   */
  readonly uid?: number;
  /**
   * Numeric gid of the runtime group.
   * @default - same as `uid`
   */
  readonly gid?: number;
  /**
   * Runtime files and folders copied from the project into the image, relative
   * to the project root. Each must exist.
   * @default []
   */
  readonly assets?: string[];
  /**
   * Extra runtime environment. `NODE_ENV`, `PORT` and `WEB_CONCURRENCY` are
   * derived; secret-looking keys are refused (pass secrets at run time).
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * Extra image labels. The OCI `title`, `version`, `source`, `revision` and
   * `created` labels are derived.
   * @default {}
   */
  readonly labels?: Record<string, string>;
  /**
   * Node image for the build and deps stages (and the runtime when `keepNpm`).
   * @default 'node:24-trixie-slim'
   */
  readonly nodeImage?: string;
  /**
   * Digest pinning `nodeImage`, e.g. `sha256:...`.
   * @default - tag only
   */
  readonly nodeImageDigest?: string;
  /**
   * Runtime base when `keepNpm` is false: node's binary is copied onto it.
   * @default 'debian:trixie-slim'
   */
  readonly runtimeImage?: string;
  /**
   * Digest pinning `runtimeImage`.
   * @default - tag only
   */
  readonly runtimeImageDigest?: string;
  /**
   * Start the runtime from `nodeImage`, keeping npm and its CVE surface.
   * @default false
   */
  readonly keepNpm?: boolean;
  /**
   * Value of the `org.opencontainers.image.source` label.
   * @default - the `repository` of package.json; no label when neither is set
   */
  readonly sourceUrl?: string;
  /**
   * `# syntax=` directive, e.g. `docker/dockerfile:1.7`. Opt-in: the frontend
   * image must be pulled, which fails without a registry.
   * @default - none: the engine's built-in frontend
   */
  readonly syntax?: string;
  /**
   * `COPY --link` in the runtime stage, so base image updates do not
   * invalidate the app layers. Opt-in: needs `syntax` >= 1.4.
   * @default false
   */
  readonly copyLink?: boolean;
  /**
   * Branch whose pushes publish the image to GHCR (version tags `v*` also do).
   * @default 'main'
   */
  readonly publishBranch?: string;
}

/** Facts about the project the image is built from. */
export interface ProjectFacts {
  readonly name: string;
  readonly version: string;
  readonly srcdir: string;
  readonly libdir: string;
  readonly tsconfigFile: string;
  readonly lockFile: string;
  /** `main` of package.json, e.g. `lib/index.js`. */
  readonly entrypoint: string;
  readonly repositoryUrl?: string;
  readonly devDependencies: readonly string[];
}

export const DEFAULT_NODE_IMAGE = 'node:24-trixie-slim';
export const DEFAULT_RUNTIME_IMAGE = 'debian:trixie-slim';
export const DEFAULT_UID = 10001;

/** Managed by the component; `addEnv` / `addLabel` may not set them. */
export const DERIVED_ENV = ['NODE_ENV', 'PORT', 'WEB_CONCURRENCY'] as const;
export const OCI = 'org.opencontainers.image';

/** Dockle CIS-DI-0010: ENV keys that suggest a baked-in secret. */
export const SECRET_KEY = /PASS|SECRET|KEY|TOKEN|ACCESS/i;

export function fail(field: string, must: string, got: unknown): never {
  throw new Error(`ContainerImage: "${field}" ${must}, got ${JSON.stringify(got)}`);
}

export function checkInt(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer ${min}-${max}`, value);
  }
  return value;
}

export function checkImageName(value: string): string {
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(value)) {
    fail('imageName', 'must be a lowercase image repository name', value);
  }
  return value;
}

export function checkUser(value: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(value) || value === 'root') {
    fail('user', 'must be a lowercase login name other than root', value);
  }
  return value;
}

export function checkHealthPath(value: string): string {
  // It is spliced into a JS string literal inside the HEALTHCHECK.
  if (!/^\/[\w\-./~%]*$/.test(value)) {
    fail('healthPath', 'must be an absolute URL path without quotes or spaces', value);
  }
  return value;
}

export function checkBudget(value: number): number {
  if (!Number.isFinite(value) || value <= 0) fail('sizeBudgetMb', 'must be a positive number', value);
  return value;
}

/** A tagged, non-`latest` image reference (hadolint DL3006/DL3007), plus optional digest. */
export function imageRef(field: string, image: string, digest: string | undefined): string {
  const tag = /^[\w][\w.-]*(?::\d+)?(?:\/[\w][\w.-]*)*:([\w][\w.-]{0,127})$/.exec(image)?.[1];
  if (!tag || tag === 'latest') fail(field, 'must be an image reference with an explicit tag other than latest', image);
  if (digest === undefined) return image;
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) fail(`${field}Digest`, 'must look like sha256:<64 hex digits>', digest);
  return `${image}@${digest}`;
}

/**
 * A relative path inside the project that COPY can take literally.
 * @param reserved paths the Dockerfile already copies or must never ship
 */
export function checkAsset(path: string, reserved: readonly string[]): string {
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (path.trim() === '') fail('assets', 'entries must be non-empty paths', path);
  if (posix.isAbsolute(path)) fail('assets', 'entries must be relative to the project root', path);
  if (normal === '.' || normal.split('/').includes('..')) fail('assets', 'entries must stay inside the project', path);
  if (/[*?[\]!#\s\\]/.test(normal)) fail('assets', 'entries must be literal paths without globs, spaces or comments', path);
  if (reserved.includes(normal.split('/')[0])) fail('assets', `entries must not be one of ${reserved.join(', ')}`, path);
  return normal;
}

export function checkEnv(key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) fail('env', 'keys must be shell variable names', key);
  if ((DERIVED_ENV as readonly string[]).includes(key)) fail('env', 'keys must not override a derived variable', key);
  if (SECRET_KEY.test(key)) fail('env', 'keys must not look like secrets (pass them at run time)', key);
  return key;
}

export function checkLabel(key: string): string {
  if (!/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/.test(key)) fail('labels', 'keys must be lowercase dotted names', key);
  if (key.startsWith(`${OCI}.`)) fail('labels', `keys must not override the derived ${OCI}.* labels`, key);
  return key;
}
