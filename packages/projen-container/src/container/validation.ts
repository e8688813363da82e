import { posix } from 'path';
import { PLATFORM_ARCHES } from './container-image-props';

/** Managed by the construct; `addEnv` may not set them. */
export const DERIVED_ENV = ['NODE_ENV', 'PORT', 'WEB_CONCURRENCY', 'PATH', 'APP_VERSION'] as const;
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

export function checkUrlPath(field: string, value: string): string {
  // It is spliced into a JS string literal inside the HEALTHCHECK.
  if (!/^\/[\w\-./~%]*$/.test(value)) {
    fail(field, 'must be an absolute URL path without quotes or spaces', value);
  }
  return value;
}

export function checkBudget(value: number): number {
  if (!Number.isFinite(value) || value <= 0) fail('sizeBudgetMb', 'must be a positive number', value);
  return value;
}

/** A tagged, non-`latest` image reference (hadolint DL3006/DL3007). Digests come from the lock, not from here. */
export function checkImageTag(field: string, image: string): string {
  if (image.includes('@')) fail(field, 'must be a tag without a digest (npx projen docker:lock pins digests)', image);
  const m = /^[\w][\w.-]*(?::\d+)?(?:\/[\w][\w.-]*)*:([\w][\w.-]{0,127})$/.exec(image);
  if (!m || m[1] === 'latest') fail(field, 'must be an image reference with an explicit tag other than latest', image);
  return image;
}

/** A non-empty list of distinct platforms, each one {@link PLATFORM_ARCHES} knows. */
export function checkPlatforms(platforms: readonly string[]): readonly string[] {
  if (!platforms.length) fail('platforms', 'must name at least one platform', platforms);
  for (const p of platforms) checkOneOf('platforms', p, Object.keys(PLATFORM_ARCHES));
  const twice = platforms.find((p, i) => platforms.indexOf(p) !== i);
  if (twice) fail('platforms', 'must not name a platform twice', twice);
  return platforms;
}

export function checkOneOf<T extends string>(field: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) fail(field, `must be one of ${allowed.join(', ')}`, value);
  return value;
}

export function checkCommand(field: string, argv: readonly string[]): readonly string[] {
  if (argv.length === 0 || argv.some((a) => a === '')) fail(field, 'must be a non-empty exec-form argv of non-empty words', argv);
  return argv;
}

/**
 * A relative path inside the project that COPY can take literally.
 * @param reserved top-level names the Dockerfile already copies or must never ship
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

/** Text that ends a one-line error: non-empty, no line breaks. */
export function checkOneLine(field: string, value: string): string {
  if (!value.trim() || /[\r\n]/.test(value)) fail(field, 'must be one non-empty line', value);
  return value;
}
