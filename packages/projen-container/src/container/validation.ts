import { posix } from 'path';
import * as z from 'zod';
import { MAX_WORKERS, PLATFORM_ARCHES } from './container-image-props';

/*
 * Every rule a declaration is held to, stated once. Each rule is a zod
 * schema whose message says what the value must be: the construct and the
 * deploy components check their props with it at synthesis (`check`), and
 * the schema of `.projen/container.json` is built from the same schemas, so
 * what synthesis writes the spec's readers accept, and nothing else.
 */

/** The component that names itself in the errors of the image's declaration. */
export const IMAGE = 'ContainerImage';

/** Managed by the construct; `addEnv` may not set them. */
export const DERIVED_ENV = ['NODE_ENV', 'PORT', 'WEB_CONCURRENCY', 'PATH', 'APP_VERSION'] as const;
export const OCI = 'org.opencontainers.image';

/** Dockle CIS-DI-0010: ENV keys that suggest a baked-in secret. */
export const SECRET_KEY = /PASS|SECRET|KEY|TOKEN|ACCESS/i;

/** An hour: a drain limit past it is a typo, and orchestrators wait for it before SIGKILL. */
export const MAX_SHUTDOWN_TIMEOUT_MS = 3_600_000;

/** Throws, in one line, naming the component, the field, the rule and the value. */
export function fail(component: string, field: string, must: string, got: unknown): never {
  throw new Error(`${component}: "${field}" ${must}, got ${JSON.stringify(got)}`);
}

/**
 * Checks `value` against a rule; the error names the offending element of
 * a list (its first issue's path), not the whole list.
 */
export function check<T>(component: string, field: string, rule: z.ZodType<T>, value: unknown): T {
  const parsed = rule.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(component, field, issue.message, issue.path.reduce((v: any, key) => v?.[key as string], value));
  }
  return parsed.data;
}

/** A string matching `pattern`; `must` is the rule in words. */
function matching(pattern: RegExp, must: string) {
  return z.string({ error: must }).regex(pattern, { error: must });
}

/** An integer in [min, max]. */
export function intIn(min: number, max: number) {
  const error = `must be an integer ${min}-${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function checkInt(component: string, field: string, value: number, min: number, max: number): number {
  return check(component, field, intIn(min, max), value);
}

export const port = intIn(1, 65535);
/** A uid or gid: root's 0 is never one. */
export const id = intIn(1, 2 ** 31 - 1);
export const workers = intIn(1, MAX_WORKERS);
export const shutdownTimeoutMs = intIn(1, MAX_SHUTDOWN_TIMEOUT_MS);
const POSITIVE = 'must be a positive number';
export const sizeBudgetMb = z.number({ error: POSITIVE }).positive({ error: POSITIVE });

/**
 * An absolute URL path of unreserved characters (RFC 3986: letters, digits,
 * `-._~`) and slashes: it is spliced into a JS string literal inside the
 * HEALTHCHECK and into probes, and a percent-escape would name a route the
 * app matches decoded. The app's own config loader accepts this set.
 */
export const urlPath = matching(/^\/[A-Za-z0-9._~/-]*$/, 'must be an absolute URL path of letters, digits, -._~ and /');

/** A login name other than root: the image never runs as root. */
export const loginName = matching(/^(?!root$)[a-z_][a-z0-9_-]{0,31}$/, 'must be a lowercase login name other than root');

/** Text that ends a one-line error: non-empty, no line breaks. */
export const oneLine = matching(/^[^\r\n]*\S[^\r\n]*$/, 'must be one non-empty line');

const ARGV = 'must be a non-empty exec-form argv of non-empty words';
export const command = z.array(z.string().min(1, { error: ARGV }), { error: ARGV }).min(1, { error: ARGV });

export function oneOf<T extends string>(allowed: readonly T[]) {
  return z.enum(allowed as [T, ...T[]], { error: `must be one of ${allowed.join(', ')}` });
}

/** A non-empty list of distinct platforms, each one {@link PLATFORM_ARCHES} knows. */
export const platforms = z.array(oneOf(Object.keys(PLATFORM_ARCHES)), { error: 'must be a list of platforms' })
  .min(1, { error: 'must name at least one platform' })
  .superRefine((list, ctx) => {
    const twice = list.findIndex((p, i) => list.indexOf(p) !== i);
    if (twice >= 0) ctx.addIssue({ code: 'custom', message: 'must not name a platform twice', path: [twice], input: list[twice] });
  });

// The grammar of image references (the OCI distribution spec's, lowercase):
// a path of components, behind a registry host when it has one.
const COMPONENT = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
const PATH = `${COMPONENT}(?:/${COMPONENT})*`;
const HOST = '[a-z0-9][a-z0-9.-]*(?::\\d+)?';
const TAG = '(?!latest(?:@|$))\\w[\\w.-]{0,127}';
const DIGEST = '@sha256:[a-f0-9]{64}';

/** A repository name without registry, tag or digest, e.g. `my-api`. */
export const imageName = matching(new RegExp(`^${PATH}$`), 'must be a lowercase image repository name');

/** A registry and repository without tag or digest: kustomize appends the digest. */
export const repository = matching(new RegExp(`^${HOST}(?:/${COMPONENT})+$`), 'must be a lowercase registry/repository without tag or digest');

/** A reference with an explicit tag other than `latest` (hadolint DL3006/DL3007), pinned by a digest or not. */
export const imageRef = matching(new RegExp(`^(?:${HOST}/)?${PATH}:${TAG}(?:${DIGEST})?$`),
  'must be an image reference with an explicit tag other than latest');

/** A reference the lock pins: a tag without a digest, since `npx projen docker:lock` adds the digest. */
export const imageTag = imageRef.refine((ref) => !ref.includes('@'), { error: 'must be a tag without a digest (npx projen docker:lock pins digests)' });

/**
 * A relative path inside the project that COPY can take literally.
 * @param reserved top-level names the Dockerfile already copies or must never ship
 */
export function checkAsset(path: string, reserved: readonly string[]): string {
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (path.trim() === '') fail(IMAGE, 'assets', 'entries must be non-empty paths', path);
  if (posix.isAbsolute(path)) fail(IMAGE, 'assets', 'entries must be relative to the project root', path);
  if (normal === '.' || normal.split('/').includes('..')) fail(IMAGE, 'assets', 'entries must stay inside the project', path);
  if (/[*?[\]!#\s\\]/.test(normal)) fail(IMAGE, 'assets', 'entries must be literal paths without globs, spaces or comments', path);
  if (reserved.includes(normal.split('/')[0])) fail(IMAGE, 'assets', `entries must not be one of ${reserved.join(', ')}`, path);
  return normal;
}

export function checkEnv(key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) fail(IMAGE, 'env', 'keys must be shell variable names', key);
  if ((DERIVED_ENV as readonly string[]).includes(key)) fail(IMAGE, 'env', 'keys must not override a derived variable', key);
  if (SECRET_KEY.test(key)) fail(IMAGE, 'env', 'keys must not look like secrets (pass them at run time)', key);
  return key;
}

export function checkLabel(key: string): string {
  if (!/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/.test(key)) fail(IMAGE, 'labels', 'keys must be lowercase dotted names', key);
  if (key.startsWith(`${OCI}.`)) fail(IMAGE, 'labels', `keys must not override the derived ${OCI}.* labels`, key);
  return key;
}
