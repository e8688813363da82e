#!/usr/bin/env node
/**
 * `npx projen docker:publish`, and container.yml's publish job: pushes every
 * platform's image that a passing `docker:verify` checked to `REGISTRY` as
 * `<version>-<arch>`, joins them into one multi-platform index under each of
 * `TAGS` (default: the version), and prints `digest: sha256:…` of that
 * index. The docker CLI does all of it, so `docker login`'s credentials
 * apply; CI runs this file bundled (`.projen/container-publish.cjs`), with
 * nothing installed beside it.
 *
 * env: REGISTRY (required), VERSION (default: the spec's), TAGS and
 * VERIFY_REPORT (one a line; default the version, and verify's report),
 * CONTAINER_SPEC_PATH, DOCKER (the client, default "docker").
 */
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { checkRegistry, indexDigest, indexRefs, manifestFlags, pushedDigest, refusal, ReportFile, VerifiedReport } from './publishable';
import { platformTag } from '../container/image-tags';
import { readSpec } from '../container/read-spec';
import { REPORT_PATH } from '../verify/report';

/** Runs the CLI with its progress on stderr (stdout is the one digest line) and returns its stdout, or undefined when it failed and may. */
function cli(command: string, args: readonly string[], allowFailure = false): string | undefined {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', allowFailure ? 'ignore' : 2], encoding: 'utf8' });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status === 0) return result.stdout;
  if (allowFailure) return undefined;
  throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

const lines = (value: string): string[] => value.split('\n').map((l) => l.trim()).filter(Boolean);

function readReport(path: string): ReportFile {
  return existsSync(path) ? { path, report: JSON.parse(readFileSync(path, 'utf8')) as VerifiedReport } : { path };
}

function main(env: NodeJS.ProcessEnv): void {
  const registry = checkRegistry(env.REGISTRY);
  const spec = readSpec(env.CONTAINER_SPEC_PATH);
  const version = env.VERSION || spec.version;
  const indexes = indexRefs(registry, env.TAGS === undefined ? [version] : lines(env.TAGS));
  const reports = (env.VERIFY_REPORT ? lines(env.VERIFY_REPORT) : [REPORT_PATH]).map(readReport);
  const docker = env.DOCKER || 'docker';
  if (cli(docker, ['version'], true) === undefined) throw new Error(`no engine answers ${docker}: ${spec.engineHelp}`);
  const inspect = (ref: string, format: string) => cli(docker, ['image', 'inspect', '--format', format, ref], true);

  // Every platform's image is checked before any is pushed: no half-published release.
  const locals = spec.platforms.map((platform) => {
    const local = platformTag(spec.imageName, version, platform);
    const id = inspect(local, '{{.Id}}')?.trim();
    if (!id) throw new Error(`no image ${local}: run npx projen docker:verify`);
    const why = refusal(platform, id, reports);
    if (why) throw new Error(`refusing to publish ${local}: ${why}`);
    return { platform, local };
  });

  const parts: string[] = [];
  for (const { platform, local } of locals) {
    const remote = platformTag(registry, version, platform);
    cli(docker, ['tag', local, remote]);
    cli(docker, ['push', remote]);
    const digest = pushedDigest(registry, lines(inspect(remote, '{{range .RepoDigests}}{{println .}}{{end}}') ?? ''));
    if (!digest) throw new Error(`pushed ${remote}, but the engine reports no digest for ${registry}`);
    parts.push(`${registry}@${digest}`);
  }

  // Every tag is one index over the same manifests, so one digest.
  const flags = manifestFlags(registry);
  let digest: string | undefined;
  for (const index of indexes) {
    cli(docker, ['manifest', 'rm', index], true); // a list left from an earlier run would be amended, not replaced
    cli(docker, ['manifest', 'create', ...flags, index, ...parts]);
    const pushed = indexDigest(cli(docker, ['manifest', 'push', ...flags, '--purge', index]) ?? '');
    if (!pushed) throw new Error(`pushed ${index}, but docker manifest push printed no digest`);
    if (digest && pushed !== digest) throw new Error(`${index} is ${pushed}, not the index ${digest}`);
    digest = pushed;
  }
  process.stdout.write(`digest: ${digest}\n`);
}

try {
  main(process.env);
} catch (e: unknown) {
  process.stderr.write(`docker:publish: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
