import { randomBytes } from 'crypto';
import Docker from 'dockerode';
import type { Engine } from './connect';
import { freePorts } from './ports';
import { withTimeout } from './time';

/**
 * Every container verify creates carries this label with the run's id, so a
 * `finally` or a signal handler can remove exactly ours, even ones whose
 * create call was still in flight when the run was interrupted.
 */
export const RUN_LABEL = 'projen-container-image.run';

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** What a check asks of a container, on top of the image's own config. */
export interface ContainerRequest {
  /** Short name, e.g. `healthy`; the container becomes `verify-<run>-<name>`. */
  readonly name: string;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly user?: string;
  /**
   * `none` for looking at the image; `reachable` when the container serves
   * the host or talks to a loopback service, by the run's {@link Engine.reach}.
   */
  readonly network: 'none' | 'reachable';
  /** The port the app listens on inside the container, for {@link RunScope.address}. */
  readonly listen?: number;
  readonly healthcheck?: Docker.ContainerCreateOptions['Healthcheck'];
  readonly hostConfig?: Omit<Docker.HostConfig, 'NetworkMode' | 'PortBindings'>;
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The kernel killed it at its memory limit (`State.OOMKilled`). */
  readonly oomKilled: boolean;
}

/** The containers of one run of one image: created labelled, reached one way, swept at the end. */
export class RunScope {
  private readonly taken = new Set<number>();

  constructor(readonly engine: Engine, readonly runId: string, readonly image: string) {}

  get docker(): Docker {
    return this.engine.docker;
  }

  /**
   * The port an app should listen on. On the host's network every container
   * shares the host's ports, so each gets a free one of its own; a published
   * container keeps the port the image declares.
   */
  async listenPort(declared: number): Promise<number> {
    if (this.engine.reach === 'publish') return declared;
    for (;;) {
      const [port] = await freePorts(1);
      if (!this.taken.has(port)) {
        this.taken.add(port);
        return port;
      }
    }
  }

  /** Creates (does not start) a labelled container from the image under test. */
  async create(req: ContainerRequest): Promise<Docker.Container> {
    const publish = req.network === 'reachable' && this.engine.reach === 'publish' && req.listen !== undefined;
    const port = `${req.listen}/tcp`;
    return this.docker.createContainer({
      name: `verify-${this.runId}-${req.name}`,
      Image: this.image,
      Entrypoint: req.entrypoint ? [...req.entrypoint] : undefined,
      Cmd: req.cmd ? [...req.cmd] : undefined,
      Env: req.env ? Object.entries(req.env).map(([k, v]) => `${k}=${v}`) : undefined,
      User: req.user,
      Labels: { [RUN_LABEL]: this.runId },
      Healthcheck: req.healthcheck,
      ExposedPorts: publish ? { [port]: {} } : undefined,
      HostConfig: {
        ...req.hostConfig,
        NetworkMode: req.network === 'none' ? 'none' : this.engine.reach === 'host' ? 'host' : 'bridge',
        PortBindings: publish ? { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] } : undefined,
      },
    });
  }

  /** `host:port` on the host's loopback where the container's `port` answers. */
  async address(container: Docker.Container, port: number): Promise<string> {
    if (this.engine.reach === 'host') return `127.0.0.1:${port}`;
    const bound = (await container.inspect()).NetworkSettings.Ports?.[`${port}/tcp`]?.[0];
    if (!bound) throw new Error(`port ${port}/tcp of ${container.id.slice(0, 12)} is not published`);
    return `127.0.0.1:${bound.HostPort}`;
  }

  /**
   * Runs a command to completion and returns its exit code, output and
   * whether the kernel killed it. The container is removed afterwards; the
   * run-wide sweep is the safety net.
   */
  async run(req: ContainerRequest, timeoutMs = 30_000): Promise<RunResult> {
    const container = await this.create(req);
    try {
      await container.start();
      const waited = await withTimeout(container.wait() as Promise<{ StatusCode: number }>, timeoutMs, `${req.name}: still running after ${timeoutMs / 1000} s`)
        .catch(async (e: Error) => {
          await container.kill().catch(() => undefined);
          throw e;
        });
      const { stdout, stderr } = demux(await container.logs({ stdout: true, stderr: true, follow: false }));
      return { exitCode: waited.StatusCode, stdout, stderr, oomKilled: (await container.inspect()).State.OOMKilled };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  /** Removes every container of this run; safe to call more than once. Returns how many it removed. */
  async sweep(): Promise<number> {
    return removeLabelled(this.docker, this.runId);
  }
}

export async function removeLabelled(docker: Docker, runId: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  return list.length;
}

/**
 * Splits Docker's multiplexed log stream (non-TTY containers): 8-byte frame
 * headers `[stream, 0, 0, 0, size(u32 BE)]` followed by `size` bytes.
 */
export function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const chunk = buffer.subarray(offset + 8, offset + 8 + size);
    (stream === 2 ? err : out).push(chunk);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** The last lines of a container's output, to explain a failed row. */
export async function logTail(container: Docker.Container, lines = 3): Promise<string> {
  try {
    const { stdout, stderr } = demux(await container.logs({ stdout: true, stderr: true, follow: false, tail: lines }));
    return (stdout + stderr).trim().split('\n').slice(-lines).join(' / ');
  } catch {
    return '';
  }
}

export async function inspectImage(docker: Docker, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(ref).inspect();
  } catch {
    return undefined;
  }
}
