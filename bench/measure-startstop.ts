/**
 * Start-to-first-200 on the health path, then `docker stop` duration and
 * the container's exit code. Each container gets its own free port (PORT)
 * on the host network.
 */
import { docker, freePort, removeContainer, waitFor200 } from './exec';
import { summarize } from './stats';
import type { StartStopResult } from './types';

export interface RunDef {
  readonly label: string;
  readonly tag: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunningContainer {
  readonly name: string;
  readonly port: number;
  /** ms from `docker run -d` to the first 200. */
  readonly startMs: number;
}

let seq = 0;

/** `docker run -d --network host -e PORT=...`, then waits for the first 200. Removes the container on failure. */
export async function startContainer(def: RunDef, healthPath: string): Promise<RunningContainer> {
  const port = await freePort();
  const name = `bench-${def.label}-${process.pid}-${++seq}`;
  const env = Object.entries({ ...def.env, PORT: String(port) }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const t0 = performance.now();
  try {
    await docker(['run', '-d', '--name', name, '--network', 'host', ...env, def.tag]);
    const startMs = await waitFor200(port, healthPath, t0);
    return { name, port, startMs };
  } catch (e) {
    const logs = await docker(['logs', '--tail', '20', name], { allowFail: true }).catch(() => undefined);
    await removeContainer(name);
    throw new Error(`${def.label}: ${(e as Error).message}\n${logs ? logs.stdout + logs.stderr : ''}`);
  }
}

/** `docker stop` (default 10 s grace) timed, plus the exit code it left. */
export async function stopContainer(name: string): Promise<{ ms: number; exitCode: number }> {
  const r = await docker(['stop', name], { timeoutMs: 60_000 });
  const code = await docker(['inspect', '-f', '{{.State.ExitCode}}', name]);
  return { ms: r.ms, exitCode: Number(code.stdout.trim()) };
}

/** The actual command line of PID 1 inside a running container (after any entrypoint exec). */
export async function pid1(name: string): Promise<string> {
  const r = await docker(['exec', name, 'sh', '-c', 'tr "\\0" " " </proc/1/cmdline'], { allowFail: true });
  return r.code === 0 ? r.stdout.trim() : 'unknown';
}

export async function measureStartStop(
  defs: readonly RunDef[],
  healthPath: string,
  runs: number,
  log: (msg: string) => void,
): Promise<Record<string, StartStopResult>> {
  const acc = new Map<string, { start: number[]; stop: number[]; codes: number[]; pid1: string }>();
  for (const d of defs) acc.set(d.label, { start: [], stop: [], codes: [], pid1: 'unknown' });
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [...defs].reverse() : defs;
    for (const def of order) {
      const a = acc.get(def.label)!;
      let name: string | undefined;
      try {
        const c = await startContainer(def, healthPath);
        name = c.name;
        if (i === 0) a.pid1 = await pid1(c.name);
        const s = await stopContainer(c.name);
        a.start.push(c.startMs);
        a.stop.push(s.ms);
        a.codes.push(s.exitCode);
        log(`start/stop ${def.label} #${i + 1}: first 200 after ${c.startMs.toFixed(0)} ms, stop ${s.ms.toFixed(0)} ms, exit ${s.exitCode}`);
      } finally {
        if (name) await removeContainer(name);
      }
    }
  }
  const out: Record<string, StartStopResult> = {};
  for (const [label, a] of acc) {
    out[label] = { start: summarize(a.start), stop: summarize(a.stop), exitCodes: a.codes, pid1: a.pid1 };
  }
  return out;
}
