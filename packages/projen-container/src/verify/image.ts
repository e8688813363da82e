import { spawn } from 'child_process';
import type Docker from 'dockerode';
import { mb, Row, row } from './report';
import { platformTag } from '../container/image-tags';
import type { ResolvedContainer } from '../container/resolved-container';

/**
 * The tags `docker:build` produces, one per platform: `<imageName>:<VERSION or
 * the package version>-<arch>` (it also tags the engine's own platform's
 * image without the suffix, and `latest`, which we do not trust).
 */
export function builtTags(spec: ResolvedContainer, env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(spec.platforms.map((p) => [p, platformTag(spec.imageName, env.VERSION || spec.version, p)]));
}

/** The platform an image was built for, as `os/arch`. */
export function platformOf(info: Docker.ImageInspectInfo): string {
  return `${info.Os}/${info.Architecture}`;
}

/** The image must be `platform`'s, and `platform` a declared one: an image of another architecture would pass for the wrong one. */
export function judgePlatform(declared: readonly string[], platform: string, info: Docker.ImageInspectInfo): Row {
  const actual = platformOf(info);
  const measured = declared.includes(actual) ? actual : `${actual}, not among the declared ${declared.join(', ')}`;
  return row({ id: 'image/platform', title: 'the image is built for its platform', expected: platform }, measured, actual === platform && declared.includes(platform));
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

/** The build passes when the task exits 0 and every platform's tag exists. */
export function judgeBuild(build: BuildOutcome, images: readonly { tag: string; info: Docker.ImageInspectInfo | undefined }[]): Row {
  const secs = (build.elapsedMs / 1000).toFixed(1);
  const tags = images.map((i) => i.tag).join(', ');
  const missing = images.filter((i) => !i.info).map((i) => i.tag);
  const measured = build.exitCode !== 0
    ? `exit ${build.exitCode} after ${secs} s (build output above)`
    : `exit 0 in ${secs} s; ${missing.length ? `but ${missing.join(', ')} missing` : images.map((i) => `${i.tag} ${describeImage(i.info!)}`).join('; ')}`;
  return row({ id: 'image/build', title: 'the image builds with the project\'s own task', expected: `npx projen docker:build exits 0 and tags ${tags}` },
    measured, build.exitCode === 0 && missing.length === 0);
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
