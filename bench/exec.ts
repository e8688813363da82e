/**
 * Process and Docker helpers shared by the measures. Every Docker call goes
 * through Debian's 20.10 client with BuildKit on (see tools/docker-engine.sh).
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';

export const DOCKER = process.env.DOCKER ?? '/usr/bin/docker';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock duration of the process, in ms. */
  readonly ms: number;
}

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the process after this long (ms). */
  readonly timeoutMs?: number;
  /** Resolve instead of rejecting on a non-zero exit code. */
  readonly allowFail?: boolean;
}

/** Runs a command without a shell and times it. */
export function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = opts.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const res: ExecResult = {
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - t0,
      };
      if (res.code !== 0 && !opts.allowFail) {
        const tail = (res.stderr || res.stdout).trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} exited ${res.code}:\n${tail}`));
      } else {
        resolve(res);
      }
    });
  });
}

/** `docker ...` with BuildKit enabled. */
export function docker(args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return exec(DOCKER, args, { ...opts, env: { ...process.env, ...opts.env, DOCKER_BUILDKIT: '1' } });
}

/** Uncompressed image size in bytes, as `docker image inspect` reports it. */
export async function imageSize(tag: string): Promise<number> {
  const r = await docker(['image', 'inspect', '-f', '{{.Size}}', tag]);
  return Number(r.stdout.trim());
}

export async function imageExists(tag: string): Promise<boolean> {
  return (await docker(['image', 'inspect', tag], { allowFail: true })).code === 0;
}

/** Removes a container if it exists; never throws (used in finally blocks). */
export async function removeContainer(name: string): Promise<void> {
  await docker(['rm', '-f', '-v', name], { allowFail: true }).catch(() => undefined);
}

/** A TCP port that is free on loopback right now (containers use host networking). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One GET on loopback; resolves the status code (0 on a connection error). */
export function httpStatus(port: number, path: string, timeoutMs = 500): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** GET returning status and body (for the health shape check). */
export function httpGet(port: number, path: string, timeoutMs = 1000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `path` on loopback until it answers 200; resolves the ms elapsed
 * since `t0` (a `performance.now()` reading), or rejects after `timeoutMs`.
 */
export async function waitFor200(port: number, path: string, t0: number, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    if ((await httpStatus(port, path, 250)) === 200) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`no 200 from 127.0.0.1:${port}${path} within ${timeoutMs} ms`);
    await sleep(10);
  }
}
