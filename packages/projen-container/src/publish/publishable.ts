import type { CheckedImage } from '../verify/report';

/** The parts of verify's report that decide whether an image may be published. */
export interface VerifiedReport {
  readonly ok: boolean;
  readonly images: readonly CheckedImage[];
}

/**
 * Why `platform`'s image `imageId` must not be published, or undefined when
 * it may: only the exact image (by id, not by tag) that the last verify run
 * checked for that platform, in a run that passed, goes out. Pure.
 */
export function refusal(platform: string, imageId: string, report: VerifiedReport | undefined, reportPath: string): string | undefined {
  if (!report) return `no verify report at ${reportPath}: run npx projen docker:verify first`;
  const checked = report.images.find((i) => i.platform === platform);
  if (checked?.imageId !== imageId) {
    return `the last verify run (${reportPath}) checked ${short(checked?.imageId)} for ${platform}, not this image ${short(imageId)}: run npx projen docker:verify`;
  }
  if (!report.ok) return `${checked.image} (${short(imageId)}) failed verification (${reportPath})`;
  return undefined;
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
