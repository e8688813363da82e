import { accessSync, constants, existsSync } from 'fs';
import { delimiter, isAbsolute, join } from 'path';
import Docker from 'dockerode';
import { VerifyError } from './errors';

/** Where the engine is, as dockerode options plus a human-readable address for messages. */
export interface EngineAddress {
  readonly label: string;
  readonly options: Docker.DockerOptions;
}

/**
 * Resolves DOCKER_HOST like the docker CLI does (unix:// or tcp://), default
 * /var/run/docker.sock. No API version is pinned: the engine here speaks
 * 1.41 at most and dockerode negotiates down fine when none is forced.
 */
export function engineAddress(env: NodeJS.ProcessEnv): EngineAddress {
  const host = env.DOCKER_HOST;
  if (!host || host.startsWith('unix://')) {
    const socketPath = host ? host.slice('unix://'.length) : '/var/run/docker.sock';
    return { label: socketPath, options: { socketPath } };
  }
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { label: host, options: { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' } };
}

/** Finds `$DOCKER` (a path, or a name looked up on PATH) or says in one line what is missing. */
export function resolveDockerCli(docker: string, env: NodeJS.ProcessEnv): string {
  const candidates = isAbsolute(docker) || docker.includes('/')
    ? [docker]
    : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, docker));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch { /* try the next PATH entry */ }
  }
  throw new VerifyError(`docker CLI not found (DOCKER=${docker}): install Docker or set DOCKER to its path, e.g. DOCKER=/usr/bin/docker`);
}

/**
 * Connects and pings, turning the usual socket errors into the one line a
 * developer needs: where we looked, what the OS said, and how to fix it.
 */
export async function connectEngine(env: NodeJS.ProcessEnv): Promise<Docker> {
  const address = engineAddress(env);
  const docker = new Docker(address.options);
  try {
    await withTimeout(docker.ping(), 5000, 'no answer within 5 s');
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { syscall?: string };
    const why = err.code ? `${err.syscall ?? 'connect'} ${err.code}` : (err.message || String(e));
    const hint = address.options.socketPath && !existsSync(address.options.socketPath)
      ? 'start it with npx projen docker:engine'
      : 'check that dockerd is running and that you may use its socket (npx projen docker:engine)';
    throw new VerifyError(`cannot reach the Docker engine at ${address.label} (${why}): ${hint}`);
  }
  return docker;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
