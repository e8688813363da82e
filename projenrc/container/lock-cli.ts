/**
 * `npx projen docker:lock`: pulls each base tag the spec names through the
 * engine and writes the digest it resolved to into the lock, then installs
 * the minimal runtime's Debian packages in the locked runtime base and
 * records the version and architecture dpkg reports for each. With
 * `--check` (the first step of docker:build) it says in one line what stops
 * the build before BuildKit would: a lock that does not fit the
 * declaration or changed since the Dockerfile was synthesized from it, a
 * SOURCE_DATE_EPOCH that is no date, no engine answering, or a pinned
 * digest it cannot pull.
 */
import { writeFileSync } from 'fs';
import type Docker from 'dockerode';
import type { BaseImageLock, LockedPackage } from './base-image-lock';
import { digestFor, LOCK_PATH, packageStaleness, pinnedRefs, readLock, RELOCK_HINT, renderLock, staleness, tagOf } from './base-image-lock';
import { readSpec } from './read-spec';
import type { ResolvedContainer } from './resolved-container';
import { sourceDateProblem } from './source-date';
import { connectEngine, demux, ensureBaseImages } from '../engine';

async function pullDigest(docker: Docker, tag: string): Promise<string> {
  const stream = await docker.pull(tag);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  const info = await docker.getImage(tag).inspect();
  const digest = digestFor(tag, info.RepoDigests ?? []);
  if (!digest) throw new Error(`${tag} has no registry digest after the pull (RepoDigests: ${JSON.stringify(info.RepoDigests ?? [])})`);
  return digest;
}

/** The shell script that installs `names` as the rootfs stage does and prints `name version architecture` per package. */
export function resolvePackagesScript(names: readonly string[]): string {
  const list = names.join(' ');
  return [
    'set -eu',
    'apt-get update -qq >/dev/null',
    `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${list} >/dev/null`,
    `dpkg-query --show --showformat='\${Package} \${Version} \${Architecture}\\n' ${list}`,
  ].join('\n');
}

/** Parses dpkg-query's lines into the lock's entries; every name must be there. Pure. */
export function parseResolved(stdout: string, names: readonly string[]): Record<string, LockedPackage> {
  const found = new Map(stdout.trim().split('\n').map((line) => line.trim().split(/\s+/)).map(([n, version, architecture]) => [n, { version, architecture }]));
  const missing = names.filter((n) => !found.get(n)?.version || !found.get(n)?.architecture);
  if (missing.length) throw new Error(`dpkg reported no version for ${missing.join(', ')}`);
  return Object.fromEntries(names.map((n) => [n, found.get(n)!]));
}

/** Installs the packages in a throwaway container of the locked runtime base; host network, as builds have here. */
async function resolvePackages(docker: Docker, image: string, names: readonly string[]): Promise<Record<string, LockedPackage>> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [resolvePackagesScript(names)],
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    await container.start();
    const { StatusCode } = await container.wait() as { StatusCode: number };
    const { stdout, stderr } = demux(await container.logs({ stdout: true, stderr: true, follow: false }));
    if (StatusCode !== 0) throw new Error(`installing ${names.join(' ')} in ${image} failed (exit ${StatusCode}): ${stderr.trim().split('\n').slice(-1)[0]}`);
    return parseResolved(stdout, names);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Why the lock does not fit the spec, in one line, or undefined. */
export function lockProblem(spec: ResolvedContainer, lockPath: string): string | undefined {
  const tags = [...new Set([spec.baseImages.build, spec.baseImages.runtime].map(tagOf))];
  const lock = readLock(lockPath);
  const { platform, packages } = spec.debianPackages;
  const why = staleness(tags, lock) ?? packageStaleness(packages.map((p) => p.name), platform, lock);
  if (why) return `${why}: run npx projen docker:lock`;
  const changed = changedSinceSynth(spec, lock!);
  return changed && `${LOCK_PATH} ${changed}, but the Dockerfile was synthesized before: run npx projen`;
}

/**
 * What the lock now says that the synthesized Dockerfile (through the spec
 * written beside it) does not: a base digest or a package's version or
 * architecture written since the last synth, by docker:lock, by hand or by
 * a bot. A Dockerfile synthesized before any lock differs in every pin. Pure.
 */
function changedSinceSynth(spec: ResolvedContainer, lock: BaseImageLock): string | undefined {
  for (const ref of new Set([spec.baseImages.build, spec.baseImages.runtime])) {
    const [tag, digest] = ref.split('@');
    if (lock.images[tag] !== digest) return `pins ${tag}@${lock.images[tag]}`;
  }
  const { platform, packages } = spec.debianPackages;
  for (const p of packages) {
    const locked = lock.packages![platform][p.name];
    if (locked.version !== p.version || locked.architecture !== p.architecture) {
      return `locks ${p.name}=${locked.version} (${locked.architecture}) on ${platform}`;
    }
  }
  return undefined;
}

async function main(args: readonly string[]): Promise<void> {
  const spec = readSpec();
  if (args[0] === '--check') {
    const problem = sourceDateProblem(process.env.SOURCE_DATE_EPOCH) ?? lockProblem(spec, LOCK_PATH);
    if (problem) throw new Error(problem);
    const { docker } = await connectEngine(spec.engineHelp);
    await ensureBaseImages(docker, pinnedRefs(spec.baseImages), RELOCK_HINT);
    return;
  }
  if (args.length) throw new Error(`unknown argument "${args[0]}" (usage: lock-cli.ts [--check])`);
  // The one engine layer: docker-modem's defaults, and one line when the engine does not answer.
  const { docker } = await connectEngine(spec.engineHelp);
  const images: Record<string, string> = {};
  for (const tag of [...new Set([spec.baseImages.build, spec.baseImages.runtime].map(tagOf))]) {
    images[tag] = await pullDigest(docker, tag);
    process.stdout.write(`${tag}@${images[tag]}\n`);
  }
  const { platform, packages } = spec.debianPackages;
  const names = packages.map((p) => p.name);
  const runtimeTag = tagOf(spec.baseImages.runtime);
  const resolved = names.length ? await resolvePackages(docker, `${runtimeTag}@${images[runtimeTag]}`, names) : {};
  for (const [name, p] of Object.entries(resolved)) process.stdout.write(`${platform} ${name}=${p.version} (${p.architecture})\n`);
  writeFileSync(LOCK_PATH, renderLock({ images, ...(names.length ? { packages: { [platform]: resolved } } : {}) }));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  main(args).catch((e: unknown) => {
    process.stderr.write(`${args[0] === '--check' ? 'docker:build' : 'docker:lock'}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
