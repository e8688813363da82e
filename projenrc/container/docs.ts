import type { ContainerSpec } from './container-spec';
import type { DockerfileModel } from './dockerfile-model';
import type { MakeTarget } from './makefile';

/** Commands the docs show; the component derives them from its tasks. */
export interface DocsCommands {
  readonly build: string;
  readonly run: string;
  readonly verify: string;
  readonly engine: string;
  readonly offlineBase: string;
}

/**
 * Renders `docs/container.md` from the same model and spec the Dockerfile and
 * verification use, so the docs cannot disagree with the image. Pure.
 */
export function renderContainerDocs(
  spec: ContainerSpec,
  model: DockerfileModel,
  targets: readonly MakeTarget[],
  commands: DocsCommands,
  marker?: string,
): string {
  const mb = spec.sizeBudgetMb;
  const code = (s: string) => `\`${s}\``;
  return [
    ...(marker ? [`<!-- ${marker} -->`] : []),
    `# Container image: ${spec.imageName}`,
    '',
    `Tagged ${code(`${spec.imageName}:${spec.version}`)} and ${code(`${spec.imageName}:latest`)}. `
      + 'Everything here is generated from the `ContainerImage` declaration in `.projenrc.ts`.',
    '',
    '## Stages',
    '',
    '| Stage | FROM | Why |',
    '| --- | --- | --- |',
    ...model.stages.map((s) => `| ${code(s.name)} | ${code(s.from)} | ${(s.comment ?? '').replace(/\n/g, ' ')} |`),
    '',
    `The production dependencies come from their own ${code('deps')} stage rather than ${code('npm prune --omit=dev')} `
      + 'in the build stage: it depends only on the manifests, so a code edit never reinstalls them, '
      + 'and BuildKit runs it in parallel with the compile.',
    '',
    spec.npmInRuntime
      ? `The runtime starts from ${code(spec.baseImages.runtime)}, so npm ships in the image (\`keepNpm\`).`
      : `The runtime starts from ${code(spec.baseImages.runtime)} with only the ${code('node')} binary copied in: `
        + 'no npm, npx or yarn in the image (docker-node\'s recipe for smaller images).',
    '',
    '## Runtime contract',
    '',
    '| Fact | Value |',
    '| --- | --- |',
    `| User | ${code(spec.user)}, uid ${spec.uid}, gid ${spec.gid} (${code(`USER ${spec.uid}:${spec.gid}`)}); no home, shell ${code('/usr/sbin/nologin')} |`,
    `| Workdir | ${code(spec.workdir)}, files owned by root, not writable by the app user |`,
    `| Command | ${code(JSON.stringify(spec.cmd))} (exec form: node is PID 1 and receives SIGTERM) |`,
    `| Port | ${spec.port} (${code('EXPOSE')}, ${code('PORT')}) |`,
    `| Workers | ${spec.workers} (${code('WEB_CONCURRENCY')}) |`,
    `| Environment | ${Object.entries(spec.env).map(([k, v]) => code(`${k}=${v}`)).join(', ')} |`,
    `| Health check | ${code(`GET ${spec.healthPath}`)} on ${code('127.0.0.1:$PORT')} every ${spec.healthcheck.intervalS} s, `
      + `timeout ${spec.healthcheck.timeoutS} s, start period ${spec.healthcheck.startPeriodS} s, ${spec.healthcheck.retries} retries; `
      + 'node\'s own fetch, no curl |',
    `| Assets | ${spec.assets.map(code).join(', ') || 'none'} |`,
    `| Size budget | ${mb} MB uncompressed (10^6 bytes) |`,
    `| Labels | ${spec.labels.map(code).join(', ')} |`,
    '',
    '## What `docker:verify` checks',
    '',
    '1. The image builds from a clean context.',
    `2. It runs as ${code(spec.user)} (${code('whoami')}), with uid ${spec.uid}, never 0.`,
    `3. Its size is at most ${mb} MB, and the report shows the app payload (${code('node_modules')}, ${code('lib')}, assets).`,
    `4. No devDependency (${spec.devDependencies.length} of them) or its binary is in ${code('node_modules')}; `
      + `none of ${[...spec.forbiddenPaths, ...spec.forbiddenAbsolutePaths].map(code).join(', ')} exists; `
      + `no ${code('.ts')} sources ship.`,
    `5. The assets and the entry point ${code(spec.entrypoint)} are present.`,
    `6. The HEALTHCHECK reports ${code('healthy')} and ${code(`GET ${spec.healthPath}`)} answers 200.`,
    `7. A hardened run works: ${code('--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges')} as an arbitrary uid.`,
    `8. ${code('docker stop')} takes at most 2 s and the container exits 0.`,
    `9. The metadata matches: ${code(`EXPOSE ${spec.port}`)}, CMD, ${code('NODE_ENV=production')}, the labels, and no secret-looking ENV key.`,
    `10. With ${code('VERIFY_DATABASE_URL')} set: the migrations run and the health check reports the database ok.`,
    '',
    '## Build, run, verify',
    '',
    '```sh',
    commands.build,
    'DATABASE_URL=postgres://... ' + commands.run,
    commands.verify,
    '```',
    '',
    `${code('DOCKER')} picks the docker client and ${code('DOCKER_BUILD_FLAGS')} adds build flags; `
      + `${code('DOCKER_RUN_FLAGS')} replaces the default port mapping of ${code('docker:run')}.`,
    '',
    '### Air-gapped',
    '',
    'Without a registry, build local stand-ins for the base images first:',
    '',
    '```sh',
    commands.engine,
    commands.offlineBase,
    `DOCKER=/usr/bin/docker DOCKER_BUILD_FLAGS="--network host" ${commands.verify}`,
    '```',
    '',
    'The default Dockerfile needs nothing newer than the BuildKit built into Docker 20.10: '
      + 'no `# syntax` line (resolving it needs a registry), no `COPY --link`, no heredocs. '
      + 'The `syntax` and `copyLink` props opt in.',
    '',
    '## Make targets',
    '',
    '| Target | Task | What |',
    '| --- | --- | --- |',
    ...targets.map((t) => `| ${code(t.target)} | ${code(t.task)} | ${t.description} |`),
    '',
  ].join('\n');
}
