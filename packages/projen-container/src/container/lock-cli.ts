#!/usr/bin/env node
/**
 * `npx projen docker:lock`: pulls each base tag the spec names through the
 * engine and writes the digest it resolved to (its multi-platform index's)
 * into the lock, then installs the minimal runtime's Debian packages in the
 * locked runtime base on each declared platform (emulated where it is not
 * the engine's) and records the version and architecture dpkg reports for
 * each. With `--check` (the first step of docker:build) it says in one line what stops
 * the build before BuildKit would: a SOURCE_DATE_EPOCH that is no date, no
 * package lockfile to install from, a lock that does not fit the
 * declaration or changed since the Dockerfile was synthesized from it, no
 * engine answering, a pinned digest it cannot pull, or a declared platform
 * the engine cannot run (which stops the lock too, before it installs there).
 */
import { writeFileSync } from 'fs';
import type Docker from 'dockerode';
import type { BaseImageLock, LockedPackage } from './base-image-lock';
import { digestFor, LOCK_PATH, packageStaleness, pinnedRefs, readLock, RELOCK_HINT, renderLock, staleness, tagOf } from './base-image-lock';
import { lockfileProblem } from './package-manager';
import { readSpec } from './read-spec';
import type { ResolvedContainer } from './resolved-container';
import { sourceDateProblem } from './source-date';
import { connectEngine, demux, ensureBaseImages, ensurePlatformsRun, resolveDockerCli } from '../engine';

/** The digest the tag resolves to: its multi-platform index's, when the registry serves one. */
async function pullDigest(docker: Docker, tag: string): Promise<string> {
  await pull(docker, tag);
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

async function pull(docker: Docker, ref: string, platform?: string): Promise<void> {
  // The engine (20.10) keeps one image per digest reference and will not point it at another
  // platform's image ("Cannot overwrite digest"): drop the reference, never the layers, first.
  if (ref.includes('@')) await docker.getImage(ref).remove({ noprune: true }).catch(() => undefined);
  const stream = await docker.pull(ref, platform ? { platform } : {});
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
}

/**
 * Installs the packages in a throwaway container of the locked runtime base
 * on `platform` (emulated when it is not the engine's); host network, as
 * builds have here.
 */
async function resolvePackages(docker: Docker, image: string, names: readonly string[], platform: string): Promise<Record<string, LockedPackage>> {
  // The engine keeps one image per reference: pull the platform's right before its container starts.
  await pull(docker, image, platform);
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [resolvePackagesScript(names)],
    HostConfig: { NetworkMode: 'host' },
    // docker-modem sends the options as the query string too: the engine reads `platform` from there.
    platform,
  } as Docker.ContainerCreateOptions);
  try {
    await container.start();
    const { StatusCode } = await container.wait() as { StatusCode: number };
    const { stdout, stderr } = demux(await container.logs({ stdout: true, stderr: true, follow: false }));
    if (StatusCode !== 0) throw new Error(`installing ${names.join(' ')} in ${image} on ${platform} failed (exit ${StatusCode}): ${stderr.trim().split('\n').slice(-1)[0]}`);
    return parseResolved(stdout, names);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Why the lock does not fit the spec, in one line, or undefined. */
export function lockProblem(spec: ResolvedContainer, lockPath: string): string | undefined {
  const tags = [...new Set([spec.baseImages.build, spec.baseImages.runtime].map(tagOf))];
  const lock = readLock(lockPath);
  const names = spec.debianPackages.map((p) => p.name);
  const why = staleness(tags, lock) ?? spec.platforms.map((platform) => packageStaleness(names, platform, lock)).find(Boolean);
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
  for (const platform of spec.platforms) {
    for (const p of spec.debianPackages) {
      const locked = lock.packages![platform][p.name];
      const synthesized = p.locked[platform];
      if (locked.version !== synthesized?.version || locked.architecture !== synthesized?.architecture) {
        return `locks ${p.name}=${locked.version} (${locked.architecture}) on ${platform}`;
      }
    }
  }
  return undefined;
}

async function main(args: readonly string[]): Promise<void> {
  const spec = readSpec();
  if (args[0] === '--check') {
    const problem = sourceDateProblem(process.env.SOURCE_DATE_EPOCH) ?? lockfileProblem(spec.packageManager, '.') ?? lockProblem(spec, LOCK_PATH);
    if (problem) throw new Error(problem);
    const cli = resolveDockerCli(process.env.DOCKER || 'docker', process.env);
    const { docker } = await connectEngine(spec.engineHelp);
    await ensureBaseImages(docker, pinnedRefs(spec.baseImages), RELOCK_HINT);
    await ensurePlatformsRun(docker, cli, spec.baseImages.runtime, spec.platforms, process.env);
    return;
  }
  if (args.length) throw new Error(`unknown argument "${args[0]}" (usage: lock-cli.ts [--check])`);
  // The one engine layer: docker-modem's defaults, and one line when the engine does not answer.
  const { docker } = await connectEngine(spec.engineHelp);
  const names = spec.debianPackages.map((p) => p.name);
  const runtimeTag = tagOf(spec.baseImages.runtime);
  // The minimal runtime's packages are installed on every platform: one that this engine cannot run is one line, before any pull.
  if (names.length) await ensurePlatformsRun(docker, resolveDockerCli(process.env.DOCKER || 'docker', process.env), runtimeTag, spec.platforms, process.env);
  const images: Record<string, string> = {};
  for (const tag of [...new Set([spec.baseImages.build, spec.baseImages.runtime].map(tagOf))]) {
    images[tag] = await pullDigest(docker, tag);
    process.stdout.write(`${tag}@${images[tag]}\n`);
  }
  const packages: Record<string, Record<string, LockedPackage>> = {};
  for (const platform of names.length ? spec.platforms : []) {
    packages[platform] = await resolvePackages(docker, `${runtimeTag}@${images[runtimeTag]}`, names, platform);
    for (const [name, p] of Object.entries(packages[platform])) process.stdout.write(`${platform} ${name}=${p.version} (${p.architecture})\n`);
  }
  // Back to the engine's own platform: the checks that run the local base image expect it.
  await pull(docker, `${runtimeTag}@${images[runtimeTag]}`);
  writeFileSync(LOCK_PATH, renderLock({ images, ...(names.length ? { packages } : {}) }));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  main(args).catch((e: unknown) => {
    process.stderr.write(`${args[0] === '--check' ? 'docker:build' : 'docker:lock'}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
