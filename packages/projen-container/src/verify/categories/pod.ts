import { execFileSync } from 'child_process';
import { parseAllDocuments } from 'yaml';
import type { KubeObject, PodProbe, PodRunSettings } from '../../container/pod-run-settings';
import { HttpAnswer, httpGet, RunScope, sleep } from '../../engine';
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
}

/**
 * What a probe should answer: 200, but while the database is unreachable 503 from the path that
 * follows the database. Kubernetes' probes ask the others, so an outage shared by every pod neither
 * empties the Service nor restarts the pods (docs/decisions/0005).
 */
function expectedStatus(probe: PodProbe, databasePath: string | undefined): number {
  return probe.path === databasePath ? 503 : 200;
}

/** An HTTP answer rather than a failed request; not `instanceof`, which fails for errors made in another realm (jest's). */
function answered(answer: HttpAnswer | Error): answer is HttpAnswer {
  return 'status' in answer;
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
    if (err.code === 'ENOENT') throw new Error(`kubectl not found on PATH: the pod check renders ${dir} with \`kubectl kustomize\`; install kubectl`);
    throw new Error(`kubectl kustomize ${dir} failed: ${oneLine(err.stderr || err.message)}`);
  }
  return parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject);
}

/**
 * Every probe answered as an orchestrator expects (during a database outage,
 * when there is a database), every probe points at the port the pod's env
 * tells the app to listen on, and the stop ended with exit 0 inside the
 * grace period. Pure.
 */
export function judgePod(at: RowHead, facts: PodFacts, databasePath: string | undefined): Row {
  const port = Number(facts.settings.env.PORT);
  const probeText = facts.probes.map(({ probe, answer }) => `${probe.kind} ${probe.path} → ${answered(answer) ? answer.status : `error: ${oneLine(answer.message)}`}`);
  const wrongPort = facts.probes.filter(({ probe }) => probe.port !== port).map(({ probe }) => `${probe.kind} probes port ${probe.port}, the app listens on ${port}`);
  const graceMs = facts.settings.terminationGracePeriodSeconds * 1000;
  const stopText = facts.stop ? `stop: exit ${facts.stop.exitCode} after ${(facts.stop.elapsedMs / 1000).toFixed(2)} s of ${graceMs / 1000} s` : 'stop: not run';
  const ok = facts.probes.length > 0
    && facts.probes.every(({ probe, answer }) => answered(answer) && answer.status === expectedStatus(probe, databasePath))
    && wrongPort.length === 0
    && facts.stop !== undefined && facts.stop.exitCode === 0 && facts.stop.elapsedMs < graceMs;
  return row(at, [...probeText, ...wrongPort, stopText].join('; '), ok);
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

/**
 * Runs the image as the Deployment would, with its database (if it has one)
 * unreachable: waits for the startup probe (as the kubelet does), asks every
 * probe once, then stops the container with the pod's grace period.
 */
export async function runAsPod(scope: RunScope, name: string, settings: PodRunSettings, database: boolean): Promise<PodFacts> {
  // On the host's network the app gets a free port; the probes follow it, as they follow PORT in the pod.
  const port = await scope.listenPort(Number(settings.env.PORT));
  const profile = podProfile(settings);
  const container = await scope.create({
    name,
    env: { ...settings.env, PORT: String(port), ...(database ? { [DATABASE_URL_ENV]: UNREACHABLE_DATABASE_URL } : {}) },
    user: profile.user,
    network: 'reachable',
    listen: port,
    hostConfig: hardenedHostConfig(profile),
  });
  await container.start();
  const address = await scope.address(container, port);
  const ask = (probe: PodProbe) => httpGet(`http://${address}${probe.path}`).catch((e: Error) => e);
  // The kubelet holds the other probes until the startup probe passes; without one (no liveness path)
  // it keeps probing readiness, so wait until the app answers it at all: its answer is judged below.
  const first = settings.probes.find((p) => p.kind === 'startup') ?? settings.probes[0];
  const deadline = Date.now() + 30_000;
  while (first && Date.now() < deadline) {
    const answer = await ask(first);
    if (answered(answer) && (first.kind !== 'startup' || answer.status === 200)) break;
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
  return { settings, probes, stop };
}
