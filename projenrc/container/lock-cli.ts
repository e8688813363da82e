/**
 * `npx projen docker:lock`: pulls each base tag the spec names through the
 * engine and writes the digest it resolved to into the lock. With
 * `--check` (the first step of docker:build) it says in one line what stops
 * the build before BuildKit would: a lock that does not fit the
 * declaration, no engine answering, or a pinned digest it cannot pull.
 */
import { writeFileSync } from 'fs';
import type Docker from 'dockerode';
import { digestFor, LOCK_PATH, pinnedRefs, readLock, RELOCK_HINT, renderLock, staleness, tagOf } from './base-image-lock';
import { readSpec } from './read-spec';
import { connectEngine, ensureBaseImages } from '../engine';

async function pullDigest(docker: Docker, tag: string): Promise<string> {
  const stream = await docker.pull(tag);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  const info = await docker.getImage(tag).inspect();
  const digest = digestFor(tag, info.RepoDigests ?? []);
  if (!digest) throw new Error(`${tag} has no registry digest after the pull (RepoDigests: ${JSON.stringify(info.RepoDigests ?? [])})`);
  return digest;
}

async function main(args: readonly string[]): Promise<void> {
  const spec = readSpec();
  const tags = [...new Set([spec.baseImages.build, spec.baseImages.runtime].map(tagOf))];
  if (args[0] === '--check') {
    const why = staleness(tags, readLock(LOCK_PATH));
    if (why) throw new Error(`${why}: run npx projen docker:lock`);
    if ([spec.baseImages.build, spec.baseImages.runtime].some((ref) => !ref.includes('@'))) {
      throw new Error(`the Dockerfile predates ${LOCK_PATH}: run npx projen`);
    }
    const { docker } = await connectEngine(spec.engineHelp);
    await ensureBaseImages(docker, pinnedRefs(spec.baseImages), RELOCK_HINT);
    return;
  }
  if (args.length) throw new Error(`unknown argument "${args[0]}" (usage: lock-cli.ts [--check])`);
  // The one engine layer: docker-modem's defaults, and one line when the engine does not answer.
  const { docker } = await connectEngine(spec.engineHelp);
  const images: Record<string, string> = {};
  for (const tag of tags) {
    images[tag] = await pullDigest(docker, tag);
    process.stdout.write(`${tag}@${images[tag]}\n`);
  }
  writeFileSync(LOCK_PATH, renderLock(images));
}

const args = process.argv.slice(2);
main(args).catch((e: unknown) => {
  process.stderr.write(`${args[0] === '--check' ? 'docker:build' : 'docker:lock'}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
