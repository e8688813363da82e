import type { CheckedImage } from '../verify/report';

/** The parts of verify's report that decide whether an image may be published. */
export interface VerifiedReport {
  readonly ok: boolean;
  readonly images: readonly CheckedImage[];
}

/** One verify report file: where it was looked for, and what it holds, if anything. */
export interface ReportFile {
  readonly path: string;
  readonly report?: VerifiedReport;
}

/**
 * Why `platform`'s image `imageId` must not be published, or undefined when
 * it may: only the exact image (by id, not by tag) that a passing verify run
 * checked for that platform goes out. Local runs have one report naming every
 * platform; CI has one per platform's leg. Pure.
 */
export function refusal(platform: string, imageId: string, reports: readonly ReportFile[]): string | undefined {
  const where = reports.map((r) => r.path).join(', ');
  const found = reports.filter((r): r is Required<ReportFile> => r.report !== undefined);
  if (found.length === 0) return `no verify report at ${where}: run npx projen docker:verify first`;
  const checks = found.flatMap(({ path, report }) => report.images
    .filter((i) => i.platform === platform)
    .map((image) => ({ path, ok: report.ok, image })));
  const same = checks.filter((c) => c.image.imageId === imageId);
  if (same.some((c) => c.ok)) return undefined;
  if (same.length > 0) return `${same[0].image.image} (${short(imageId)}) failed verification (${same[0].path})`;
  return `the last verify run (${where}) checked ${short(checks[0]?.image.imageId)} for ${platform}, not this image ${short(imageId)}: run npx projen docker:verify`;
}

function short(id: string | undefined): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : 'no image';
}

/** The digest of the pushed `repository` among an image's RepoDigests. */
export function pushedDigest(repository: string, repoDigests: readonly string[]): string | undefined {
  return repoDigests.map((d) => d.split('@')).find(([name]) => name === repository)?.[1];
}

/** `REGISTRY` as a repository name: lowercase, no tag, no digest, no scheme. */
export function checkRegistry(value: string | undefined): string {
  if (!value || !/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+$/.test(value)) {
    throw new Error(`REGISTRY must name a repository such as ghcr.io/<owner>/<image>, got ${JSON.stringify(value ?? '')}`);
  }
  return value;
}

/**
 * The index references to push, one per tag: each of `tags` is a tag, or
 * the reference `<registry>:<tag>` (what docker/metadata-action outputs).
 * Anything else, or none at all, is refused. Pure.
 */
export function indexRefs(registry: string, tags: readonly string[]): string[] {
  if (tags.length === 0) throw new Error('TAGS names no tag to publish');
  return tags.map((t) => {
    const tag = t.startsWith(`${registry}:`) ? t.slice(registry.length + 1) : t;
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new Error(`TAGS must hold tags or ${registry}:<tag> references, got ${JSON.stringify(t)}`);
    return `${registry}:${tag}`;
  });
}

/**
 * `docker manifest` talks to registries itself and refuses plain HTTP unless
 * told: allowed for a registry on this machine's loopback only. Pure.
 */
export function manifestFlags(registry: string): string[] {
  return /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?\//.test(registry) ? ['--insecure'] : [];
}

/** The index digest `docker manifest push` prints as its last line, or undefined. */
export function indexDigest(output: string): string | undefined {
  return /(sha256:[a-f0-9]{64})\s*$/.exec(output)?.[1];
}
