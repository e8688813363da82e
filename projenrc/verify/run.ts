import Docker from 'dockerode';
import { RUN_LABEL, newRunId, removeLabelled } from './containers';
import { connectEngine, resolveDockerCli } from './engine';
import { VerifyError } from './errors';
import { builtTag, inspectImage, judgeBuild, judgeGivenImage, runProjenBuild } from './image';
import { loadSpec } from './load-spec';
import { parseOptions, USAGE } from './options';
import { freePorts } from './ports';
import { isOk, renderTable, Report, Row, sortRows, summary, writeReport } from './report';
import { skipAll, verifyImage } from './verify';

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

/**
 * `npx projen docker:verify`: returns the exit code (0 all passed, 1 a check
 * failed). User errors (no spec, no docker, engine down) are thrown as
 * {@link VerifyError} for the caller to print as one line.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io = consoleIo): Promise<number> {
  const options = parseOptions(argv, env, process.cwd());
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  const spec = loadSpec(options.specPath);
  resolveDockerCli(options.docker, env);
  const docker = await connectEngine(env);
  const runId = newRunId();
  const startedAt = new Date();
  let killBuild: ((s: NodeJS.Signals) => void) | undefined;
  const stopSignals = onSignals(docker, runId, io, (s) => killBuild?.(s));
  io.err(`docker:verify: run ${runId} (containers labelled ${RUN_LABEL}=${runId})`);

  try {
    let image: string;
    let first: Row;
    if (options.image) {
      image = options.image;
      first = judgeGivenImage(image, await inspectImage(docker, image));
    } else {
      image = builtTag(spec);
      io.err(`docker:verify: building ${image} with npx projen docker:build`);
      const build = await runProjenBuild(options.projectRoot, env, (kill) => { killBuild = kill; });
      killBuild = undefined;
      first = judgeBuild(image, build, await inspectImage(docker, image));
    }

    let rows: Row[] = [first];
    if (first.status === 'pass') {
      io.err(`docker:verify: checking ${image}`);
      const [health, hardened, database] = await freePorts(3);
      rows = rows.concat(await verifyImage({
        docker,
        spec,
        image,
        runId,
        projectRoot: options.projectRoot,
        databaseUrl: options.databaseUrl,
        ports: { health, hardened, database },
      }));
    } else {
      rows = rows.concat(skipAll('no image to check (check 1 failed)'));
    }
    rows = sortRows(rows);

    const report: Report = {
      image,
      imageId: (await inspectImage(docker, image))?.Id,
      specPath: options.specPath,
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
    await removeLabelled(docker, runId).catch(() => undefined);
  }
}

/**
 * On Ctrl-C or SIGTERM: stop the build if one runs, remove this run's
 * containers, and exit 128+signal. Without this a Ctrl-C during check 6
 * would leave a container bound to a host port.
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
  if (e instanceof VerifyError) {
    io.err(`docker:verify: ${e.message}`);
    return 2;
  }
  io.err(`docker:verify: internal error: ${e instanceof Error ? e.stack : String(e)}`);
  return 1;
}
