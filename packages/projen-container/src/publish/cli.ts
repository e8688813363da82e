#!/usr/bin/env node
/**
 * `npx projen docker:publish`: pushes every platform's image that the last
 * `docker:verify` passed to `REGISTRY` as `<version>-<arch>`, joins them into
 * one multi-platform index tagged `<version>`, and prints
 * `digest: sha256:…` of that index. The docker CLI pushes, so
 * `docker login`'s credentials apply.
 */
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { checkRegistry, indexDigest, manifestFlags, pushedDigest, refusal, VerifiedReport } from './publishable';
import { platformTag } from '../container/image-tags';
import { readSpec } from '../container/read-spec';
import { connectEngine } from '../engine';
import { REPORT_PATH } from '../verify/report';

/** Runs the CLI with its progress on stderr (stdout is the one digest line) and returns its stdout. */
function cli(command: string, args: readonly string[], allowFailure = false): string {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 2], encoding: 'utf8' });
  if (result.status !== 0 && !allowFailure) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  return result.stdout ?? '';
}

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const registry = checkRegistry(env.REGISTRY);
  const spec = readSpec(env.CONTAINER_SPEC_PATH);
  const version = env.VERSION || spec.version;
  const reportPath = env.VERIFY_REPORT || REPORT_PATH;
  const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) as VerifiedReport : undefined;
  const { docker } = await connectEngine(spec.engineHelp);
  const dockerCli = env.DOCKER || 'docker';

  // Every platform's image is checked before any is pushed: no half-published release.
  const locals = await Promise.all(spec.platforms.map(async (platform) => {
    const local = platformTag(spec.imageName, version, platform);
    const info = await docker.getImage(local).inspect().catch(() => undefined);
    if (!info) throw new Error(`no image ${local}: run npx projen docker:verify`);
    const why = refusal(platform, info.Id, report, reportPath);
    if (why) throw new Error(`refusing to publish ${local}: ${why}`);
    return { platform, local };
  }));

  const parts: string[] = [];
  for (const { platform, local } of locals) {
    const remote = platformTag(registry, version, platform);
    cli(dockerCli, ['tag', local, remote]);
    cli(dockerCli, ['push', remote]);
    const digest = pushedDigest(registry, (await docker.getImage(remote).inspect()).RepoDigests ?? []);
    if (!digest) throw new Error(`pushed ${remote}, but the engine reports no digest for ${registry}`);
    parts.push(`${registry}@${digest}`);
  }

  const index = `${registry}:${version}`;
  const flags = manifestFlags(registry);
  cli(dockerCli, ['manifest', 'rm', index], true); // a list left from an earlier run would be amended, not replaced
  cli(dockerCli, ['manifest', 'create', ...flags, index, ...parts]);
  const digest = indexDigest(cli(dockerCli, ['manifest', 'push', ...flags, '--purge', index]));
  if (!digest) throw new Error(`pushed ${index}, but docker manifest push printed no digest`);
  process.stdout.write(`digest: ${digest}\n`);
}

main(process.env).catch((e: unknown) => {
  process.stderr.write(`docker:publish: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
