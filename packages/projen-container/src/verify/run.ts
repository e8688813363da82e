import type Docker from 'dockerode';
import { connectEngine, ensureBaseImages, ensurePlatformsRun, inspectImage, newRunId, removeLabelled, resolveDockerCli, RUN_LABEL, RunScope } from '../engine';
import { kustomize } from './categories/pod';
import { VerifyError } from './errors';
import { builtTags, judgeBuild, judgeGivenImage, judgePlatform, platformOf, runProjenBuild } from './image';
import { parseOptions, USAGE } from './options';
import { CheckedImage, isOk, onPlatform, renderTable, Report, Row, summary, writeReport } from './report';
import { emulated, skipPlan, verifyImage } from './verify';
import { pinnedRefs, RELOCK_HINT } from '../container/base-image-lock';
import { EMULATED_TIME_FACTOR, planFor } from '../container/check-plan';
import { archOf } from '../container/container-image-props';
import { readSpec, SpecError } from '../container/read-spec';
import type { ResolvedContainer } from '../container/resolved-container';
import { OneLineError } from '../engine/errors';

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** A spec that is missing, stale or hand-edited is the user's to fix: one line, no stack. */
function loadSpec(path: string): ResolvedContainer {
  try {
    return readSpec(path);
  } catch (e) {
    if (e instanceof SpecError) throw new VerifyError(`${e.message} (CONTAINER_SPEC_PATH overrides the path)`);
    throw e;
  }
}

/**
 * The pod check runs the image with its overlay's Deployment as `kubectl
 * kustomize` renders it: rendering each now makes a missing kubectl, or an
 * overlay it cannot render, one line before any build.
 */
function renderPodOverlays(spec: ResolvedContainer): void {
  for (const check of spec.checks.runtime) if (check.kind === 'pod') kustomize(check.kustomization);
}

/**
 * `npx projen docker:verify`: returns the exit code (0 all passed, 1 a check
 * failed). User errors (no spec, no docker, engine down, bad arguments) are
 * thrown as {@link VerifyError} for the caller to print as one line. The
 * engine is found from `process.env` (docker-modem reads it), the rest from
 * `env`.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io = consoleIo): Promise<number> {
  const options = parseOptions(argv, env, process.cwd());
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  const spec = loadSpec(options.specPath);
  renderPodOverlays(spec);
  const cli = options.image ? undefined : resolveDockerCli(options.docker, env);
  const engine = await connectEngine(spec.engineHelp);
  // A pinned base this machine cannot pull, or a platform this engine cannot run, is the user's to fix:
  // one line, not a failed build row under BuildKit's log.
  if (cli) {
    await ensureBaseImages(engine.docker, pinnedRefs(spec.baseImages), RELOCK_HINT);
    await ensurePlatformsRun(engine.docker, cli, spec.baseImages.runtime, spec.platforms, env);
  }
  const runId = newRunId();
  const startedAt = new Date();
  let killBuild: ((s: NodeJS.Signals) => void) | undefined;
  const stopSignals = onSignals(engine.docker, runId, io, (s) => killBuild?.(s));
  io.err(`docker:verify: run ${runId} on ${engine.address}, reaching containers by ${engine.reach} (containers labelled ${RUN_LABEL}=${runId})`);

  try {
    const native = (await engine.docker.version()).Arch;
    // Each image is inspected once, after the build: its id is what the report names and publish pushes.
    let targets: { platform: string; image: string; info: Awaited<ReturnType<typeof inspectImage>> }[];
    let first: Row;
    if (options.image) {
      const info = await inspectImage(engine.docker, options.image);
      targets = [{ platform: info ? platformOf(info) : spec.platforms[0], image: options.image, info }];
      first = judgeGivenImage(options.image, info);
    } else {
      const tags = builtTags(spec, env);
      io.err(`docker:verify: building ${Object.values(tags).join(', ')} with npx projen docker:build`);
      const build = await runProjenBuild(options.projectRoot, env, (kill) => { killBuild = kill; });
      killBuild = undefined;
      targets = await Promise.all(spec.platforms.map(async (platform) => (
        { platform, image: tags[platform], info: await inspectImage(engine.docker, tags[platform]) })));
      first = judgeBuild(build, targets.map((t) => ({ tag: t.image, info: t.info })));
    }

    const rows: Row[] = [first];
    const images: CheckedImage[] = [];
    for (const { platform, image, info } of targets) {
      images.push({ platform, image, imageId: info?.Id });
      const own = planFor(spec.checks, platform);
      if (first.status !== 'pass' || !info) {
        rows.push(...onPlatform(platform, skipPlan(own, `no image to check (${first.id} failed)`)));
        continue;
      }
      const fits = judgePlatform(spec.platforms, platform, info);
      if (fits.status !== 'pass') {
        rows.push(...onPlatform(platform, [fits, ...skipPlan(own, 'no image of a declared platform to check')]));
        continue;
      }
      const isEmulated = archOf(platform) !== native;
      io.err(`docker:verify: checking ${image} (${platform}${isEmulated ? `, emulated: time limits ×${EMULATED_TIME_FACTOR}` : ''})`);
      const limits = isEmulated ? emulated(own, spec.healthcheck, EMULATED_TIME_FACTOR) : { plan: own, timing: spec.healthcheck };
      const scope = new RunScope(engine, runId, image);
      rows.push(...onPlatform(platform, [fits, ...await verifyImage({ scope, spec, ...limits, databaseUrl: options.databaseUrl })]));
    }

    const report: Report = {
      images,
      specPath: options.specPath,
      engine: { address: engine.address, reach: engine.reach },
      runId,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      ok: isOk(rows),
      rows,
    };
    io.out(renderTable(rows));
    io.out('');
    io.out(`${summary(rows)} in ${(report.durationMs / 1000).toFixed(1)} s`);
    writeReport(options.reportPath, report);
    io.out(`report: ${options.reportPath}`);
    return report.ok ? 0 : 1;
  } finally {
    stopSignals();
    await removeLabelled(engine.docker, runId).catch(() => undefined);
  }
}

/**
 * On Ctrl-C or SIGTERM: stop the build if one runs, remove this run's
 * containers, and exit 128+signal. Without this a Ctrl-C during a runtime
 * check would leave a container bound to a host port.
 */
function onSignals(docker: Docker, runId: string, io: Io, forward: (s: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    io.err(`docker:verify: ${signal}: removing this run's containers`);
    forward(signal);
    removeLabelled(docker, runId)
      .catch(() => 0)
      .then(() => process.exit(signal === 'SIGINT' ? 130 : 143), () => process.exit(1));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

/** Prints user errors as one line (no stack); anything else is a bug and keeps its stack. */
export function reportError(e: unknown, io: Io = consoleIo): number {
  if (e instanceof OneLineError) {
    io.err(`docker:verify: ${e.message}`);
    return 2;
  }
  io.err(`docker:verify: internal error: ${e instanceof Error ? e.stack : String(e)}`);
  return 1;
}
