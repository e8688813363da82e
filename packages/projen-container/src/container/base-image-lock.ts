import { existsSync, readFileSync } from 'fs';
import * as z from 'zod';
import { IMAGE_TASKS } from './image-tasks';
import { text } from './spec-fields';
import type { RenovatePin } from '../renovate';

/**
 * The base-image lock: each FROM tag with the digest it resolved to when
 * `npx projen docker:lock` last ran. Committed, so every build of a commit
 * starts from the same bytes, and a bot can propose a new digest as a
 * one-line change.
 */
export const LOCK_PATH = 'container.lock.json';

/**
 * Renovate's view of the lock: new digests of the same tags. Only digests:
 * the tags are declared in .projenrc.ts, and changing one here alone would
 * contradict that declaration. The Debian packages are not Renovate's:
 * `npx projen docker:lock` resolves them from the locked base.
 */
export const BASE_IMAGE_PIN: RenovatePin = {
  description: 'base image digests',
  file: LOCK_PATH,
  matchString: '"(?<depName>[^"\\s:@]+):(?<currentValue>[^"\\s:@]+)": "(?<currentDigest>sha256:[a-f0-9]{64})"',
  datasource: 'docker',
  digestOnly: true,
};

export interface BaseImageLock {
  /** Tag (no digest) → `sha256:…`. */
  readonly images: Readonly<Record<string, string>>;
  /**
   * Platform (`linux/amd64`) → Debian package → what the runtime's rootfs
   * stage installed from the locked base: keyed by platform, because each
   * architecture resolves its own builds of the same packages.
   */
  readonly packages?: Readonly<Record<string, Readonly<Record<string, LockedPackage>>>>;
}

/** A Debian package as dpkg reported it after installing it from the locked base. */
export const lockedPackageSchema = z.strictObject({
  version: text.optional(),
  /** dpkg's `Architecture`: the platform's (`amd64`) or `all`. */
  architecture: text.optional(),
}).readonly();
export type LockedPackage = z.infer<typeof lockedPackageSchema>;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

const lockSchema = z.strictObject({
  '//': z.string().optional(),
  'images': z.record(z.string().regex(/^[^@\s]+:[^@\s]+$/), z.string().regex(DIGEST)),
  // Fields stay optional here: `packageStaleness` names a missing one and the command that fills it.
  'packages': z.record(z.string(), z.record(z.string(), lockedPackageSchema)).optional(),
});

/** Reads the lock at `path`; undefined when there is none. Throws one line when it is malformed. */
export function readLock(path: string): BaseImageLock | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { images: parsed.data.images, ...(parsed.data.packages ? { packages: parsed.data.packages } : {}) };
}

/** The tag of a reference, its digest dropped. */
export function tagOf(ref: string): string {
  return ref.split('@')[0];
}

/** `tag@digest` when the lock pins the tag, else the tag itself. */
export function lockedRef(tag: string, lock: BaseImageLock | undefined): string {
  const digest = lock?.images[tag];
  return digest ? `${tag}@${digest}` : tag;
}

/**
 * Why the lock does not fit these base tags, or undefined when it does: a
 * missing lock, a tag without a digest, or a digest for a tag no FROM uses.
 */
export function staleness(tags: readonly string[], lock: BaseImageLock | undefined): string | undefined {
  if (!lock) return `no ${LOCK_PATH}`;
  const missing = tags.filter((t) => !lock.images[t]);
  const extra = Object.keys(lock.images).filter((t) => !tags.includes(t));
  if (missing.length) return `${LOCK_PATH} has no digest for ${missing.join(', ')}`;
  if (extra.length) return `${LOCK_PATH} pins ${extra.join(', ')}, which no FROM uses`;
  return undefined;
}

/**
 * Why the lock does not fix these Debian packages on `platform`, or undefined
 * when it does: no entry for the platform, a package without a version or
 * architecture, or a list that differs from the declared one.
 */
export function packageStaleness(names: readonly string[], platform: string, lock: BaseImageLock | undefined): string | undefined {
  if (!names.length) return undefined;
  const locked = lock?.packages?.[platform];
  if (!locked) return `${LOCK_PATH} locks no Debian packages for ${platform}`;
  const added = names.filter((n) => !(n in locked));
  const dropped = Object.keys(locked).filter((n) => !names.includes(n));
  if (added.length || dropped.length) {
    const change = [...added.map((n) => `+${n}`), ...dropped.map((n) => `-${n}`)].join(' ');
    return `${LOCK_PATH}'s Debian packages for ${platform} differ from the declared list (${change})`;
  }
  const incomplete = names.filter((n) => !locked[n].version || !locked[n].architecture);
  if (incomplete.length) return `${LOCK_PATH} has no version and architecture for ${incomplete.join(', ')} on ${platform}`;
  return undefined;
}

/** The digest of `tag` among an image's RepoDigests (`node@sha256:…`, `docker.io/library/node@sha256:…`). */
export function digestFor(tag: string, repoDigests: readonly string[]): string | undefined {
  const repo = tag.slice(0, tag.lastIndexOf(':'));
  const names = [repo, `docker.io/${repo}`, `docker.io/library/${repo}`];
  return repoDigests.map((d) => d.split('@')).find(([name]) => names.includes(name))?.[1];
}

const sortedKeys = <T>(o: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));

/** The lock file's text, keys sorted so a bot's diff is one line per change. */
export function renderLock(lock: BaseImageLock): string {
  const packages = lock.packages && Object.keys(lock.packages).length
    ? Object.fromEntries(Object.keys(lock.packages).sort().map((p) => [p, sortedKeys(lock.packages![p])]))
    : undefined;
  return JSON.stringify({
    '//': 'Written by `npx projen docker:lock`: the digest each base tag resolved to, and the Debian packages the runtime is assembled from. The Dockerfile is synthesized from it.',
    'images': sortedKeys(lock.images),
    ...(packages ? { packages } : {}),
  }, null, 2) + '\n';
}

/** The fix for a pinned digest this machine cannot pull: pin the ones its registry (or mirror) serves. */
export const RELOCK_HINT = `run npx projen ${IMAGE_TASKS.lock} to pin the digests this machine can pull`;

/** The base references that are pinned to a digest: what a build pulls by digest. */
export function pinnedRefs(baseImages: { readonly build: string; readonly runtime: string }): string[] {
  return [...new Set([baseImages.build, baseImages.runtime])].filter((ref) => ref.includes('@'));
}
