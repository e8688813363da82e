import { spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type Docker from 'dockerode';
import { EngineError } from './errors';

/**
 * The platforms an image can be built for, each with its architecture as
 * Docker and Debian name it and as node reports it (`process.arch`): the
 * ones both Debian and node publish builds for, and cloud nodes run.
 */
export const PLATFORM_ARCHES: Readonly<Record<string, { readonly arch: string; readonly nodeArch: string }>> = {
  'linux/amd64': { arch: 'amd64', nodeArch: 'x64' },
  'linux/arm64': { arch: 'arm64', nodeArch: 'arm64' },
};
/** Docker's and Debian's name of a platform's architecture, e.g. `arm64`; the suffix of its image tag. */
export const archOf = (platform: string): string => PLATFORM_ARCHES[platform].arch;

/** What runc reports when the kernel finds no interpreter for a binary's architecture: no emulator is registered for it. */
export const EXEC_FORMAT_ERROR = /exec format error/i;

/** An engine's own platform, as `docker version` reports it. */
export interface EnginePlatform {
  readonly os: string;
  readonly arch: string;
}

/** What a probe build printed, and how it ended. */
export interface ProbeOutcome {
  readonly exitCode: number;
  readonly output: string;
}

/**
 * The probe: one command run in `base` on the target platform, as the
 * build's first target-platform stage runs its own, and a file copied out of
 * it, so the step cannot be skipped.
 */
export function probeDockerfile(base: string): string {
  return [`FROM ${base} AS probe`, 'RUN ["touch", "/ran"]', 'FROM scratch', 'COPY --from=probe /ran /'].join('\n');
}

/**
 * The one line for a platform this engine cannot run, naming both fixes:
 * an emulator registered with binfmt_misc (Docker's own way, on Linux and
 * Docker Desktop alike), or only the declared platforms the engine runs
 * natively. Pure.
 */
export function cannotRun(platform: string, engine: EnginePlatform, declared: readonly string[]): string {
  const native = declared.filter((p) => archOf(p) === engine.arch);
  const instead = native.length ? `declare platforms: [${native.map((p) => `'${p}'`).join(', ')}]` : `build and verify on a ${platform} engine`;
  return `${platform} cannot run on this engine (${engine.os}/${engine.arch}: exec format error): register QEMU for it with binfmt_misc `
    + `(docker run --privileged --rm tonistiigi/binfmt --install ${archOf(platform)}), or ${instead}`;
}

/** Why `platform` cannot be built and verified here, from its probe's outcome, in one line; undefined when the probe ran. Pure. */
export function platformProblem(platform: string, engine: EnginePlatform, declared: readonly string[], outcome: ProbeOutcome): string | undefined {
  if (outcome.exitCode === 0) return undefined;
  if (EXEC_FORMAT_ERROR.test(outcome.output)) return cannotRun(platform, engine, declared);
  const last = outcome.output.trim().split('\n').filter(Boolean).pop() ?? `exit ${outcome.exitCode}`;
  return `cannot run ${platform} on this engine (${engine.os}/${engine.arch}): a build of one step in its base failed: ${last.trim()}`;
}

/**
 * Builds {@link probeDockerfile} for `platform` with BuildKit through `cli`,
 * the way docker:build will: wherever the engine is (a socket, a remote host,
 * Docker Desktop's VM), its own runtime and emulators decide. No network, no
 * cache (a cached step would prove nothing), and the output goes to a
 * temporary folder, so no image is left behind.
 */
export function probePlatform(cli: string, base: string, platform: string, env: NodeJS.ProcessEnv): Promise<ProbeOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'platform-probe-'));
  const args = ['build', '--platform', platform, '--network', 'none', '--no-cache', '--quiet', '--output', `type=local,dest=${join(dir, 'out')}`, '--file', '-', dir];
  return new Promise<ProbeOutcome>((resolve) => {
    const child = spawn(cli, args, { env: { ...env, DOCKER_BUILDKIT: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', (e) => resolve({ exitCode: 127, output: e.message }));
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
    child.stdin.end(probeDockerfile(base));
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/**
 * Probes each of `platforms` the engine does not run natively (a native one
 * always runs) in `base`, before a build would fail on it deep in BuildKit's
 * log; throws the first problem as one line.
 */
export async function ensurePlatformsRun(
  docker: Docker, cli: string, base: string, platforms: readonly string[], env: NodeJS.ProcessEnv,
): Promise<void> {
  const { Os: os, Arch: arch } = await docker.version();
  for (const platform of platforms.filter((p) => archOf(p) !== arch)) {
    const problem = platformProblem(platform, { os, arch }, platforms, await probePlatform(cli, base, platform, env));
    if (problem) throw new EngineError(problem);
  }
}
