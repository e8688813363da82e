import { existsSync, readFileSync } from 'fs';
import { z } from 'zod';
import { IMAGE_TASKS } from './image-tasks';

/**
 * The base-image lock: each FROM tag with the digest it resolved to when
 * `npx projen docker:lock` last ran. Committed, so every build of a commit
 * starts from the same bytes, and a bot can propose a new digest as a
 * one-line change.
 */
export const LOCK_PATH = 'container.lock.json';

export interface BaseImageLock {
  /** Tag (no digest) → `sha256:…`. */
  readonly images: Readonly<Record<string, string>>;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

const lockSchema = z.strictObject({
  '//': z.string().optional(),
  'images': z.record(z.string().regex(/^[^@\s]+:[^@\s]+$/), z.string().regex(DIGEST)),
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
  return { images: parsed.data.images };
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

/** The digest of `tag` among an image's RepoDigests (`node@sha256:…`, `docker.io/library/node@sha256:…`). */
export function digestFor(tag: string, repoDigests: readonly string[]): string | undefined {
  const repo = tag.slice(0, tag.lastIndexOf(':'));
  const names = [repo, `docker.io/${repo}`, `docker.io/library/${repo}`];
  return repoDigests.map((d) => d.split('@')).find(([name]) => names.includes(name))?.[1];
}

/** The lock file's text for these digests, tags sorted so a bot's diff is one line. */
export function renderLock(images: Readonly<Record<string, string>>): string {
  const sorted = Object.fromEntries(Object.keys(images).sort().map((t) => [t, images[t]]));
  return JSON.stringify({
    '//': 'Written by `npx projen docker:lock`: the digest each base tag resolved to. The Dockerfile is synthesized from it.',
    'images': sorted,
  }, null, 2) + '\n';
}

/** The fix for a pinned digest this machine cannot pull: pin the ones its registry (or mirror) serves. */
export const RELOCK_HINT = `run npx projen ${IMAGE_TASKS.lock} to pin the digests this machine can pull`;

/** The base references that are pinned to a digest: what a build pulls by digest. */
export function pinnedRefs(baseImages: { readonly build: string; readonly runtime: string }): string[] {
  return [...new Set([baseImages.build, baseImages.runtime])].filter((ref) => ref.includes('@'));
}
