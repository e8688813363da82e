import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import { repoRoot } from './throwaway-database';

// Process model: the compiled entry point as the container runs it (`node lib/index.js`).
export const entry = path.join(repoRoot, 'lib', 'index.js');

export type LogLine = Record<string, unknown> & { msg?: string };

export interface Service {
  child: ChildProcess;
  port: number;
  lines: LogLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /**
   * Resolves with the first log line (already seen or future) that matches; rejects once no line can come,
   * that is once the process and every worker writing to its output are gone (workers may outlive it).
   */
  waitFor(predicate: (line: LogLine) => boolean, what: string): Promise<LogLine>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export async function startService(env: NodeJS.ProcessEnv): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    // cwd elsewhere: config/ and prompts/ must resolve from the package root.
    cwd: '/',
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), WEB_CONCURRENCY: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const text of complete.filter(Boolean)) {
      const line = JSON.parse(text) as LogLine; // Every stdout line must be JSON.
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  // 'close' comes once the process has exited and every holder of its output (its workers too) has let go.
  const outputEnded = new Promise<string>((resolve) => { child.on('close', (code, signal) => resolve(String(code ?? signal))); });
  const waitFor = (predicate: (line: LogLine) => boolean, what: string): Promise<LogLine> => {
    const seen = lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ predicate, resolve });
      void outputEnded.then((exit) => reject(new Error(`output ended (exit ${exit}) before ${what}; stderr: ${stderr}`)));
    });
  };
  return { child, port, lines, stderr: () => stderr, waitFor, exited };
}

/** Env that makes the service log each of its own modules as it starts loading (`module loading`, with `module`). */
export const markLoading: NodeJS.ProcessEnv = { NODE_OPTIONS: `--require ${path.join(__dirname, 'mark-loading.cjs')}` };

export const workersListening = (service: Service, count: number): Promise<LogLine[]> => {
  const pids = new Set<unknown>();
  return Promise.all(Array.from({ length: count }, (_, i) => service.waitFor((line) => {
    if (line.msg !== 'worker listening' || pids.has(line.workerPid) || pids.size !== i) return false;
    pids.add(line.workerPid);
    return true;
  }, `worker ${i + 1} listening`)));
};

/** Whether a process is still there (a worker is not our child: its exit is no event of ours). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process tests run `lib/`: the projen build compiles before testing; this keeps `npx jest` alone honest too. */
export function compileEntry(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--build'], { cwd: repoRoot, stdio: 'inherit' });
}
