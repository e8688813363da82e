import { randomBytes } from 'crypto';
import Docker from 'dockerode';
import { withTimeout } from './engine';

/**
 * Every container verify creates carries this label with the run's id, so a
 * `finally` or a signal handler can remove exactly ours, even ones whose
 * create call was still in flight when the run was interrupted.
 */
export const RUN_LABEL = 'dev.course-supporter.verify';

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** What a check asks of a container, on top of the image's own config. */
export interface ContainerRequest {
  /** Short name for the container, e.g. `health`; becomes `verify-<run>-<name>`. */
  readonly name: string;
  readonly entrypoint?: string[];
  readonly cmd?: string[];
  readonly env?: Record<string, string>;
  readonly user?: string;
  /** `host` to reach loopback services (PostgreSQL, our HTTP probe); `none` for pure inspection. */
  readonly network: 'host' | 'none';
  readonly healthcheck?: Docker.ContainerCreateOptions['Healthcheck'];
  readonly hostConfig?: Omit<Docker.HostConfig, 'NetworkMode'>;
}

export class RunScope {
  constructor(readonly docker: Docker, readonly runId: string, readonly image: string) {}

  /** Creates (does not start) a labelled container from the image under test. */
  async create(req: ContainerRequest): Promise<Docker.Container> {
    return this.docker.createContainer({
      name: `verify-${this.runId}-${req.name}`,
      Image: this.image,
      Entrypoint: req.entrypoint,
      Cmd: req.cmd,
      Env: req.env ? Object.entries(req.env).map(([k, v]) => `${k}=${v}`) : undefined,
      User: req.user,
      Labels: { [RUN_LABEL]: this.runId },
      Healthcheck: req.healthcheck,
      HostConfig: { ...req.hostConfig, NetworkMode: req.network },
    });
  }

  /**
   * Runs a command to completion and returns its exit code and output. The
   * container is removed afterwards; the run-wide sweep is the safety net.
   */
  async run(req: ContainerRequest, timeoutMs = 30_000): Promise<RunResult> {
    const container = await this.create(req);
    try {
      await container.start();
      // withTimeout clears its timer: a dangling 30 s timer would keep the CLI (and jest) alive after the run.
      const waited = await withTimeout(container.wait() as Promise<{ StatusCode: number }>, timeoutMs, `${req.name}: still running after ${timeoutMs / 1000} s`)
        .catch(async (e: Error) => {
          await container.kill().catch(() => undefined);
          throw e;
        });
      const { stdout, stderr } = demux(await container.logs({ stdout: true, stderr: true, follow: false }));
      return { exitCode: waited.StatusCode, stdout, stderr };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  /** Removes every container of this run; safe to call more than once. Returns how many it removed. */
  async sweep(): Promise<number> {
    return removeLabelled(this.docker, this.runId);
  }
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last lines of a container's output, for a failed row's measured value. */
export async function logTail(container: Docker.Container, lines = 3): Promise<string> {
  try {
    const { stdout, stderr } = demux(await container.logs({ stdout: true, stderr: true, follow: false, tail: lines }));
    return (stdout + stderr).trim().split('\n').slice(-lines).join(' / ');
  } catch {
    return '';
  }
}
