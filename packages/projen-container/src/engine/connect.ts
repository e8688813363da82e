import { accessSync, constants } from 'fs';
import { delimiter, isAbsolute, join } from 'path';
import Docker from 'dockerode';
import { EngineError } from './errors';
import { withTimeout } from './time';

/**
 * How the host reaches a port a container listens on: `host` shares the
 * host's network (the only way on an engine started with `--bridge=none`),
 * `publish` binds it to an ephemeral port on 127.0.0.1, never on every
 * interface.
 */
export type Reach = 'host' | 'publish';

/** A connected engine, with how this run reaches containers decided once. */
export interface Engine {
  readonly docker: Docker;
  /** Where the engine is, for messages: a socket path or a URL. */
  readonly address: string;
  readonly reach: Reach;
}

/**
 * Publishing needs the default `bridge` network; an engine without one can
 * still run containers on the host's network. Verify never creates a
 * network to get the other.
 */
export function chooseReach(networkNames: readonly string[]): Reach {
  return networkNames.includes('bridge') ? 'publish' : 'host';
}

/**
 * Connects with docker-modem's own defaults, so DOCKER_HOST (unix, tcp,
 * ssh), DOCKER_TLS_VERIFY and DOCKER_CERT_PATH mean what they mean to the
 * docker CLI. It reads `process.env`, not an env passed around: that is the
 * environment the modem sees. `help` ends the one line when no engine
 * answers: what to do about it on this project's machines.
 */
export async function connectEngine(help: string): Promise<Engine> {
  let docker: Docker;
  try {
    docker = new Docker();
  } catch (e) {
    throw new EngineError(`cannot reach the Docker engine (DOCKER_HOST=${process.env.DOCKER_HOST}): ${(e as Error).message}: ${help}`);
  }
  const address = await engineAddress(docker);
  try {
    await withTimeout(docker.ping(), 5000, 'no answer within 5 s');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code ? `${err.syscall ?? 'connect'} ${err.code}` : (err.message || String(e));
    throw new EngineError(`cannot reach the Docker engine at ${address} (${why}): ${help}`);
  }
  const networks = await docker.listNetworks();
  return { docker, address, reach: chooseReach(networks.map((n) => n.Name)) };
}

interface ModemAddress {
  readonly host?: string;
  readonly port?: string | number;
  readonly protocol?: string;
  getSocketPath(): Promise<string | undefined>;
}

/** The modem's socket path (resolved: it may be a lookup of ~/.docker/run) or its URL. */
async function engineAddress(docker: Docker): Promise<string> {
  const modem = docker.modem as unknown as ModemAddress;
  if (modem.host) return `${modem.protocol}://${modem.host}${modem.port ? `:${modem.port}` : ''}`;
  return (await modem.getSocketPath()) ?? 'the default socket';
}

/**
 * Finds `$DOCKER` (a path, or a name on PATH) or says in one line what is
 * missing. Only `npx projen docker:build` uses the CLI; checking it up front
 * turns a build's "command not found" into a message naming the variable.
 */
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
  throw new EngineError(`docker CLI not found (DOCKER=${docker}): install Docker or set DOCKER to its path`);
}
