/**
 * `npx projen docker:publish`: pushes the image the last `docker:verify`
 * passed to `REGISTRY` under its version tag, and prints `digest: sha256:…`.
 * The docker CLI pushes, so `docker login`'s credentials apply.
 */
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { checkRegistry, pushedDigest, refusal, VerifiedReport } from './publishable';
import { readSpec } from '../container/read-spec';
import { connectEngine } from '../engine';
import { REPORT_PATH } from '../verify/report';

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const registry = checkRegistry(env.REGISTRY);
  const spec = readSpec(env.CONTAINER_SPEC_PATH);
  const version = env.VERSION || spec.version;
  const local = `${spec.imageName}:${version}`;
  const reportPath = env.VERIFY_REPORT || REPORT_PATH;
  const { docker } = await connectEngine(spec.engineHelp);
  const info = await docker.getImage(local).inspect().catch(() => undefined);
  if (!info) throw new Error(`no image ${local}: run npx projen docker:verify`);
  const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) as VerifiedReport : undefined;
  const why = refusal(info.Id, report, reportPath);
  if (why) throw new Error(`refusing to publish ${local}: ${why}`);

  const remote = `${registry}:${version}`;
  const cli = env.DOCKER || 'docker';
  for (const args of [['tag', local, remote], ['push', remote]]) {
    // The CLI's progress goes to stderr: stdout is the one digest line.
    const result = spawnSync(cli, args, { stdio: ['ignore', 2, 2] });
    if (result.status !== 0) throw new Error(`${cli} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
  const digest = pushedDigest(registry, (await docker.getImage(remote).inspect()).RepoDigests ?? []);
  if (!digest) throw new Error(`pushed ${remote}, but the engine reports no digest for ${registry}`);
  process.stdout.write(`digest: ${digest}\n`);
}

main(process.env).catch((e: unknown) => {
  process.stderr.write(`docker:publish: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
