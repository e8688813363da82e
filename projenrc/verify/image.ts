import { spawn } from 'child_process';
import type Docker from 'dockerode';
import { mb, Row, row } from './report';
import type { ResolvedContainer } from '../container/resolved-container';

/**
 * The tag `docker:build` produces: `<imageName>:<VERSION or the package version>`
 * (it also tags `latest`, which we do not trust).
 */
export function builtTag(spec: ResolvedContainer, env: NodeJS.ProcessEnv): string {
  return `${spec.imageName}:${env.VERSION || spec.version}`;
}

function describeImage(info: Docker.ImageInspectInfo): string {
  return `${info.Id.replace(/^sha256:/, '').slice(0, 12)}, ${mb(info.Size)}`;
}

/** The precondition when CI hands us an image: it must exist locally; verify never pulls. */
export function judgeGivenImage(ref: string, info: Docker.ImageInspectInfo | undefined): Row {
  return row({ id: 'image/given', title: 'the image to check is present locally', expected: `${ref} present locally` },
    info ? describeImage(info) : 'not found (verify does not pull)', !!info);
}

export interface BuildOutcome {
  readonly exitCode: number;
  readonly elapsedMs: number;
}

export function judgeBuild(tag: string, build: BuildOutcome, info: Docker.ImageInspectInfo | undefined): Row {
  const secs = (build.elapsedMs / 1000).toFixed(1);
  const measured = build.exitCode !== 0
    ? `exit ${build.exitCode} after ${secs} s (build output above)`
    : `exit 0 in ${secs} s; ${info ? `${tag} ${describeImage(info)}` : `but ${tag} is missing`}`;
  return row({ id: 'image/build', title: 'the image builds with the project\'s own task', expected: `npx projen docker:build exits 0 and tags ${tag}` },
    measured, build.exitCode === 0 && !!info);
}

/**
 * Builds through the project's own task, so verify exercises exactly what
 * developers and CI run. Its output goes to stderr: stdout stays the table.
 * `onChild` lets the signal handler forward Ctrl-C / SIGTERM to the build.
 */
export function runProjenBuild(
  projectRoot: string,
  env: NodeJS.ProcessEnv,
  onChild?: (kill: (s: NodeJS.Signals) => void) => void,
): Promise<BuildOutcome> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['projen', 'docker:build'], { cwd: projectRoot, env, stdio: ['ignore', 2, 2] });
    onChild?.((s) => child.kill(s));
    child.on('error', () => resolve({ exitCode: 127, elapsedMs: Date.now() - start }));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), elapsedMs: Date.now() - start }));
  });
}
