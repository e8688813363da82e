import { execFileSync } from 'child_process';
import type Docker from 'dockerode';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, PodProbe, PodRunSettings } from '../../container/pod-run-settings';
import { HttpAnswer, httpGet, isAnswer, RunScope, sleep } from '../../engine';
import { VerifyError } from '../errors';
import { oneLine, Row, row, RowHead } from '../report';
import { hardenedHostConfig } from './hardening';
import type { HardenedProfile } from '../../container/check-plan';
import { DATABASE_URL_ENV } from '../../container/container-image-props';

/**
 * Where the pod check points DATABASE_URL: a port nothing listens on, so the
 * app runs as it would during a database outage.
 */
export const UNREACHABLE_DATABASE_URL = 'postgres://verify@127.0.0.1:1/unreachable';

/** What probing and stopping a container run with the pod's settings showed. */
export interface PodFacts {
  readonly settings: PodRunSettings;
  /** Each probe's answer, once the startup probe passed (without one, the app answered) or the wait ran out. */
  readonly probes: readonly { readonly probe: PodProbe; readonly answer: HttpAnswer | Error }[];
  readonly stop?: { readonly exitCode: number; readonly elapsedMs: number };
  /** Only when the container has a memory limit. */
  readonly heap?: HeapFill | Error;
}

/** How a node that allocates without end, run with the pod's env and memory limit, was stopped. */
export interface HeapFill {
  /** V8's `heap_size_limit`, as node printed it before it began. */
  readonly limitMiB: number;
  /** The kernel killed it at the memory limit, before V8 reached its own. */
  readonly oomKilled: boolean;
  /** V8 stopped it: its fatal "heap out of memory" is on stderr. */
  readonly v8OutOfMemory: boolean;
  readonly exitCode: number;
}

/**
 * What a probe should answer: 200, but while the database is unreachable 503 from the path that
 * follows the database. Kubernetes' probes ask the others, so an outage shared by every pod neither
 * empties the Service nor restarts the pods (docs/decisions/0005).
 */
function expectedStatus(probe: PodProbe, databasePath: string | undefined): number {
  return probe.path === databasePath ? 503 : 200;
}

/**
 * The objects `kubectl kustomize` renders from a kustomization folder: the
 * Deployment exactly as it would reach the cluster, overlay patches applied.
 */
export function kustomize(dir: string): KubeObject[] {
  let yaml: string;
  try {
    yaml = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new VerifyError(`kubectl not found on PATH: the pod check renders ${dir} with \`kubectl kustomize\`; `
        + 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or put it on PATH');
    }
    throw new VerifyError(`kubectl kustomize ${dir} failed: ${oneLine(err.stderr || err.message)}`);
  }
  return parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject);
}

/**
 * A heap that outgrows its limit must end in V8's "heap out of memory", a
 * line in the log, and not in the kernel's silent SIGKILL: V8's limit below
 * the memory limit, with room for what is not heap. Emulated, QEMU's own
 * memory (its translated code) counts against the same limit, so which of
 * the two ends the fill says nothing of the pod: only V8's limit is judged. Pure.
 */
function judgeHeap(settings: PodRunSettings, heap: PodFacts['heap'], emulated: boolean): { text: string[]; ok: boolean } {
  const limit = settings.memoryLimitMiB;
  if (limit === undefined) return { text: [], ok: true };
  if (heap === undefined) return { text: ['heap: not filled'], ok: false };
  if (!('limitMiB' in heap)) return { text: [`heap: error: ${oneLine(heap.message)}`], ok: false };
  const end = heap.oomKilled ? 'OOM-killed by the kernel' : heap.v8OutOfMemory ? 'V8\'s heap out of memory' : 'no "heap out of memory" from V8';
  return {
    text: [`heap filled to V8's ${heap.limitMiB.toFixed(0)} MiB limit in ${limit} MiB: ${end} (exit ${heap.exitCode})${emulated ? ', emulated: only the limit is judged' : ''}`],
    ok: heap.limitMiB < limit && (emulated || (heap.v8OutOfMemory && !heap.oomKilled)),
  };
}

/**
 * Every probe answered as an orchestrator expects (during a database outage,
 * when there is a database), every probe points at the port the pod's env tells the app to listen on,
 * the stop ended with exit 0 inside the grace period, and with a memory
 * limit, a heap filled under the pod's env ends in V8's out of memory. Pure.
 */
export function judgePod(at: RowHead, facts: PodFacts, databasePath: string | undefined, emulated = false): Row {
  const port = Number(facts.settings.env.PORT);
  const probeText = facts.probes.map(({ probe, answer }) => `${probe.kind} ${probe.path} → ${isAnswer(answer) ? answer.status : `error: ${oneLine(answer.message)}`}`);
  const wrongPort = facts.probes.filter(({ probe }) => probe.port !== port).map(({ probe }) => `${probe.kind} probes port ${probe.port}, the app listens on ${port}`);
  const graceMs = facts.settings.terminationGracePeriodSeconds * 1000;
  const stopText = facts.stop ? `stop: exit ${facts.stop.exitCode} after ${(facts.stop.elapsedMs / 1000).toFixed(2)} s of ${graceMs / 1000} s` : 'stop: not run';
  const heap = judgeHeap(facts.settings, facts.heap, emulated);
  const ok = facts.probes.length > 0
    && facts.probes.every(({ probe, answer }) => isAnswer(answer) && answer.status === expectedStatus(probe, databasePath))
    && wrongPort.length === 0
    && facts.stop !== undefined && facts.stop.exitCode === 0 && facts.stop.elapsedMs < graceMs
    && heap.ok;
  return row(at, [...probeText, ...wrongPort, stopText, ...heap.text].join('; '), ok);
}

/** The pod's security context and emptyDirs as the same profile the hardened check runs with. */
function podProfile(s: PodRunSettings): HardenedProfile {
  return {
    user: `${s.user}:${s.groupId}`,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    tmpfs: Object.fromEntries(s.tmpfsPaths.map((p) => [p, 'rw,nosuid,nodev'])),
    capDrop: s.capDrop,
    noNewPrivileges: s.noNewPrivileges,
  };
}

/** The pod's settings as Docker options: its security profile, and its memory limit with no swap beyond it. */
export function podHostConfig(s: PodRunSettings): Omit<Docker.HostConfig, 'NetworkMode'> {
  const bytes = s.memoryLimitMiB === undefined ? undefined : s.memoryLimitMiB * 2 ** 20;
  return { ...hardenedHostConfig(podProfile(s)), ...(bytes === undefined ? {} : { Memory: bytes, MemorySwap: bytes }) };
}

/** Prints V8's heap limit, then allocates until something stops it: V8 at its limit, or the kernel at the container's. */
const FILL_HEAP = 'console.log(v8.getHeapStatistics().heap_size_limit); const a = []; for (;;) a.push(new Array(1e5).fill(Math.random()));';

/** A node run with the pod's env in a container with its limits, filling its heap until it is stopped. */
export async function fillHeap(scope: RunScope, name: string, settings: PodRunSettings): Promise<HeapFill | Error> {
  const r = await scope.run({
    name: `${name}-heap`,
    entrypoint: ['node'],
    cmd: ['-e', FILL_HEAP],
    env: settings.env,
    user: podProfile(settings).user,
    network: 'none',
    hostConfig: podHostConfig(settings),
  }, 60_000).catch((e: Error) => e);
  if (r instanceof Error) return r;
  const bytes = Number(r.stdout.split('\n')[0]);
  if (!(bytes > 0)) return new Error(`node printed no heap limit, exit ${r.exitCode}: ${oneLine(r.stderr || r.stdout)}`);
  return { limitMiB: bytes / 2 ** 20, oomKilled: r.oomKilled, v8OutOfMemory: /heap out of memory/.test(r.stderr), exitCode: r.exitCode };
}

/**
 * Runs the image as the Deployment would, with its database (if it has one)
 * unreachable: waits until the first probe the kubelet gates on (startup, else the first declared)
 * answers as expected, as a pod is not started or ready before then, asks every probe once, then
 * stops the container with the pod's grace period. Without that wait the stop could arrive before
 * the app handles SIGTERM, which node as PID 1 then ignores. With a memory limit, fills a heap
 * under the same env and limit first.
 */
export async function runAsPod(scope: RunScope, name: string, settings: PodRunSettings, databasePath: string | undefined): Promise<PodFacts> {
  const heap = settings.memoryLimitMiB === undefined ? undefined : await fillHeap(scope, name, settings);
  // On the host's network the app gets a free port; the probes follow it, as they follow PORT in the pod.
  const port = await scope.listenPort(Number(settings.env.PORT));
  const container = await scope.create({
    name,
    env: { ...settings.env, PORT: String(port), ...(databasePath !== undefined ? { [DATABASE_URL_ENV]: UNREACHABLE_DATABASE_URL } : {}) },
    user: podProfile(settings).user,
    network: 'reachable',
    listen: port,
    hostConfig: podHostConfig(settings),
  });
  await container.start();
  const address = await scope.address(container, port);
  const ask = (probe: PodProbe) => httpGet(`http://${address}${probe.path}`).catch((e: Error) => e);
  const gate = settings.probes.find((p) => p.kind === 'startup') ?? settings.probes[0];
  const deadline = Date.now() + 30_000;
  while (gate && Date.now() < deadline) {
    const answer = await ask(gate);
    if (isAnswer(answer) && answer.status === expectedStatus(gate, databasePath)) break;
    await sleep(200);
  }
  const probes = [];
  for (const probe of settings.probes) probes.push({ probe, answer: await ask(probe) });
  const running = (await container.inspect()).State.Running;
  let stop: PodFacts['stop'];
  if (running) {
    const start = Date.now();
    await container.stop({ t: settings.terminationGracePeriodSeconds });
    stop = { exitCode: (await container.inspect()).State.ExitCode, elapsedMs: Date.now() - start };
  }
  await container.remove({ force: true }).catch(() => undefined);
  return { settings, probes, stop, ...(heap === undefined ? {} : { heap }) };
}
