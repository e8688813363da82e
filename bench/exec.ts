/**
 * Processes, timed: the docker CLI for builds (the only BuildKit client here),
 * `npx projen`, autocannon and git. Everything else goes through engine.ts.
 */
import { spawn } from 'node:child_process';

/** The docker CLI: `$DOCKER`, else `docker` on PATH (ci/env.sh sets it on the provisioned machines). */
export const DOCKER = process.env.DOCKER ?? 'docker';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock duration, in ms. */
  readonly ms: number;
}

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Resolve instead of rejecting on a non-zero exit code. */
  readonly allowFail?: boolean;
}

/** Runs a command without a shell and times it. */
export function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const res = {
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - t0,
      };
      if (res.code === 0 || opts.allowFail) return resolve(res);
      const tail = (res.stderr || res.stdout).trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} exited ${res.code}:\n${tail}`));
    });
  });
}

/** `$DOCKER ...` with BuildKit on. */
export function docker(args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return exec(DOCKER, args, { ...opts, env: { ...process.env, ...opts.env, DOCKER_BUILDKIT: '1' } });
}
