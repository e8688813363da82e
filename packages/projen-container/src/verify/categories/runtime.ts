import type Docker from 'dockerode';
import type { HardenedProfile, HealthTiming, RuntimeCheck } from '../../container/check-plan';
import {
  ContainerRequest, fastHealthcheck, HealthOutcome, healthDeadlineMs, HttpAnswer, httpGet, isAnswer, RunResult, RunScope, waitForHealth,
} from '../../engine';
import { broken, oneLine, Row, row, RowHead, rowId, skipped } from '../report';
import { hardenedHostConfig } from './hardening';
import type { PodFacts } from './pod';
import { judgePod, kustomize, runAsPod } from './pod';
import { DATABASE_URL_ENV } from '../../container/container-image-props';
import { podRunSettings } from '../../container/pod-run-settings';

/** What serving the image showed: Docker's verdict from its own HEALTHCHECK, then a direct GET. */
export interface ServedFacts {
  readonly health: HealthOutcome;
  /** The GET's answer or error; undefined when the container was not running to ask. */
  readonly http?: HttpAnswer | Error;
  readonly url: string;
}

export interface StopFacts {
  readonly exitCode: number;
  readonly elapsedMs: number;
  /** `docker stop -t`: how long Docker waited before SIGKILL. */
  readonly timeoutS: number;
}

/** What was measured for one runtime entry. */
export type RuntimeOutcome =
  | { readonly kind: 'served'; readonly served: ServedFacts }
  | { readonly kind: 'stopped'; readonly stop: StopFacts }
  | { readonly kind: 'migrated'; readonly migrate: RunResult | Error; readonly served: ServedFacts }
  | { readonly kind: 'pod'; readonly pod: PodFacts }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'broken'; readonly error: unknown };

function describeProfile(profile: HardenedProfile): string {
  return [
    `as ${profile.user}`,
    profile.readOnlyRootFilesystem ? '--read-only' : '',
    ...Object.keys(profile.tmpfs).map((p) => `--tmpfs ${p}`),
    profile.capDrop.length ? `--cap-drop ${profile.capDrop.join(',')}` : '',
    profile.noNewPrivileges ? '--security-opt no-new-privileges' : '',
  ].filter(Boolean).join(' ');
}

function head(check: RuntimeCheck): RowHead {
  const id = rowId('runtime', check.name);
  switch (check.kind) {
    case 'healthy':
      return { id, title: check.title, expected: `Docker health "healthy"; GET ${check.path} → 200` };
    case 'hardened':
      return { id, title: check.title, expected: `${describeProfile(check.profile)}: Docker health "healthy"; GET ${check.path} → 200` };
    case 'stop':
      return { id, title: check.title, expected: `docker stop of the healthy container: exit 0 within ${check.limitMs / 1000} s` };
    case 'database':
      return { id, title: check.title, expected: `\`${check.command.join(' ')}\` exits 0; GET ${check.path} → 200, checks.db "ok"` };
    case 'pod':
      return {
        id,
        title: check.title,
        expected: `with the settings of ${check.container} in \`kubectl kustomize ${check.kustomization}\`'s Deployment${check.databasePath ? ' and no database' : ''}: `
          + 'startup, readiness and liveness probes → 200; '
          + 'docker stop exits 0 within the grace period; with a memory limit, node filling its heap under the pod\'s env and limit '
          + 'is stopped by V8 at a limit below it, not OOM-killed',
      };
  }
}

/** Hides passwords of connection strings before text is printed or written to the report. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}

/** `checks.db` from a health body, or undefined when the body is not the JSON we expect. */
export function dbCheck(body: string): unknown {
  try {
    return (JSON.parse(body) as { checks?: { db?: unknown } }).checks?.db;
  } catch {
    return undefined;
  }
}

export function describeHttp(http: HttpAnswer | Error | undefined): string {
  if (http === undefined) return 'not attempted (container not running)';
  if (!isAnswer(http)) return `error: ${oneLine(http.message)}`;
  return `${http.status} ${oneLine(http.body).slice(0, 100)}`;
}

function describeServed(served: ServedFacts): string {
  const { health } = served;
  const secs = (health.elapsedMs / 1000).toFixed(1);
  const healthText = health.status === 'healthy'
    ? `healthy after ${secs} s`
    : `${health.status} after ${secs} s: ${oneLine(health.detail).slice(0, 160)}`;
  return `${healthText}; GET ${served.url} → ${describeHttp(served.http)}`;
}

/**
 * Both halves matter: Docker's health says an orchestrator would route to
 * the container, the direct GET proves the port we think we serve on is the
 * one answering.
 */
export function judgeServed(at: RowHead, served: ServedFacts): Row {
  const http = served.http;
  return row(at, describeServed(served), served.health.status === 'healthy' && http !== undefined && isAnswer(http) && http.status === 200);
}

/**
 * Exit 137 means Docker gave up and sent SIGKILL; a clean exit after the
 * limit means the app drains too slowly for a rolling deploy. Both fail.
 */
export function judgeStop(at: RowHead, limitMs: number, facts: StopFacts): Row {
  const killed = facts.exitCode === 137 ? ` (SIGKILL after the ${facts.timeoutS} s timeout)` : '';
  return row(at, `exit ${facts.exitCode}${killed} after ${(facts.elapsedMs / 1000).toFixed(2)} s`, facts.exitCode === 0 && facts.elapsedMs <= limitMs);
}

export function judgeDatabase(at: RowHead, migrate: RunResult | Error, served: ServedFacts): Row {
  const migrateText = migrate instanceof Error
    ? `error: ${oneLine(migrate.message)}`
    : `exit ${migrate.exitCode}${migrate.exitCode ? `: ${oneLine(migrate.stderr || migrate.stdout).slice(-160)}` : ''}`;
  const http = served.http;
  const ok = !(migrate instanceof Error) && migrate.exitCode === 0
    && http !== undefined && isAnswer(http) && http.status === 200 && dbCheck(http.body) === 'ok';
  return row(at, redact(`migrate ${migrateText}; ${describeServed(served)}`), ok);
}

/** Judges one runtime entry from what was measured for it; an outcome of the wrong kind is a verifier bug, shown as such. */
export function judgeRuntime(check: RuntimeCheck, outcome: RuntimeOutcome): Row {
  const at = head(check);
  if (outcome.kind === 'skipped') return skipped(at, outcome.reason);
  if (outcome.kind === 'broken') return broken(at, outcome.error);
  if ((check.kind === 'healthy' || check.kind === 'hardened') && outcome.kind === 'served') return judgeServed(at, outcome.served);
  if (check.kind === 'stop' && outcome.kind === 'stopped') return judgeStop(at, check.limitMs, outcome.stop);
  if (check.kind === 'database' && outcome.kind === 'migrated') return judgeDatabase(at, outcome.migrate, outcome.served);
  if (check.kind === 'pod' && outcome.kind === 'pod') return judgePod(at, outcome.pod, check.databasePath, check.emulated);
  return broken(at, `verifier bug: a ${outcome.kind} outcome for a ${check.kind} check`);
}

export interface RuntimeOptions {
  /** The image's own HEALTHCHECK test; the plan's timing replaces the image's. */
  readonly healthTest: readonly string[] | undefined;
  readonly timing: HealthTiming;
  /** The port the image declares; on the host's network each container gets a free one instead. */
  readonly port: number;
  readonly databaseUrl?: string;
  /** `docker stop -t`, 10 like Docker's default; tests lower it to fail fast. */
  readonly stopTimeoutS: number;
}

interface Served extends ServedFacts {
  readonly container: Docker.Container;
}

/**
 * Starts the image's own command with PORT set, with the image's HEALTHCHECK
 * test polled fast, waits for Docker's verdict, then asks the app directly.
 */
async function serve(scope: RunScope, req: Pick<ContainerRequest, 'name' | 'env' | 'user' | 'hostConfig'>, path: string, opts: RuntimeOptions): Promise<Served> {
  const port = await scope.listenPort(opts.port);
  const container = await scope.create({
    ...req,
    env: { ...req.env, PORT: String(port) },
    network: 'reachable',
    listen: port,
    healthcheck: fastHealthcheck(opts.healthTest, opts.timing),
  });
  await container.start();
  const health = await waitForHealth(container, healthDeadlineMs(opts.timing));
  if (health.status.startsWith('exited')) return { container, health, url: `port ${port}${path}` };
  const url = `http://${await scope.address(container, port)}${path}`;
  return { container, health, url, http: await httpGet(url).catch((e: Error) => e) };
}

async function stopServed(served: Served | undefined, timeoutS: number): Promise<RuntimeOutcome> {
  if (!served) return { kind: 'skipped', reason: 'no healthy container to stop (no healthy check ran)' };
  const before = await served.container.inspect();
  if (!before.State.Running) return { kind: 'skipped', reason: `container not running (exited ${before.State.ExitCode})` };
  const start = Date.now();
  await served.container.stop({ t: timeoutS });
  const elapsedMs = Date.now() - start;
  const after = await served.container.inspect();
  return { kind: 'stopped', stop: { exitCode: after.State.ExitCode, elapsedMs, timeoutS } };
}

/**
 * Runs every runtime entry, concurrently where they are independent (each
 * container has its own name and port). `stop` stops the container of the
 * first `healthy` entry, because stopping a healthy app is the point.
 */
export async function checkRuntime(scope: RunScope, checks: readonly RuntimeCheck[], opts: RuntimeOptions): Promise<Row[]> {
  const firstHealthy = checks.find((c) => c.kind === 'healthy');
  let kept: Promise<Served | undefined> = Promise.resolve(undefined);
  const measure = async (check: RuntimeCheck): Promise<RuntimeOutcome> => {
    switch (check.kind) {
      case 'healthy': {
        const served = serve(scope, { name: check.name }, check.path, opts);
        if (check === firstHealthy) kept = served.catch(() => undefined);
        const facts = await served;
        if (check !== firstHealthy) await facts.container.remove({ force: true }).catch(() => undefined);
        return { kind: 'served', served: facts };
      }
      case 'hardened': {
        const hardened = { name: check.name, user: check.profile.user, hostConfig: hardenedHostConfig(check.profile) };
        const served = await serve(scope, hardened, check.path, opts);
        await served.container.remove({ force: true }).catch(() => undefined);
        return { kind: 'served', served };
      }
      case 'stop':
        // Stop entries are measured after every other entry has started (below), so `kept` is set by now.
        return stopServed(await kept, opts.stopTimeoutS);
      case 'pod':
        return { kind: 'pod', pod: await runAsPod(scope, check.name, podRunSettings(kustomize(check.kustomization), check.container), check.databasePath) };
      case 'database': {
        if (!opts.databaseUrl) return { kind: 'skipped', reason: 'skipped: VERIFY_DATABASE_URL not set' };
        const env = { [DATABASE_URL_ENV]: opts.databaseUrl };
        const [entrypoint, ...cmd] = check.command;
        const migrate = await scope.run({ name: check.name, entrypoint: [entrypoint], cmd, env, network: 'reachable' }, 120_000)
          .catch((e: Error) => e);
        const served = await serve(scope, { name: `${check.name}-serve`, env }, check.path, opts);
        await served.container.remove({ force: true }).catch(() => undefined);
        return { kind: 'migrated', migrate, served };
      }
    }
  };
  const guarded = (check: RuntimeCheck) => measure(check).catch((error: unknown): RuntimeOutcome => ({ kind: 'broken', error }));
  const first = new Map<RuntimeCheck, Promise<RuntimeOutcome>>(checks.filter((c) => c.kind !== 'stop').map((c) => [c, guarded(c)] as const));
  const outcomes = await Promise.all(checks.map((c) => first.get(c) ?? guarded(c)));
  return checks.map((check, i) => judgeRuntime(check, outcomes[i]));
}
