import Docker from 'dockerode';
import { ContainerRequest, RunScope } from '../containers';
import { fastHealthcheck, HealthOutcome, HealthTiming, healthDeadlineMs, waitForHealth } from '../health';
import { HttpAnswer, httpGet } from '../http';
import { oneLine, Row, row } from '../report';

export interface Served {
  readonly container: Docker.Container;
  readonly health: HealthOutcome;
  /** The HTTP probe's answer, or the error it failed with; undefined when not attempted. */
  readonly http?: HttpAnswer | Error;
  readonly url: string;
}

/**
 * Starts the image's own command on `port` (the app and its HEALTHCHECK read
 * PORT), waits for Docker's verdict, then asks the app directly. Both
 * matter: Docker's health says the orchestrator will route to it, the direct
 * GET proves the port we think we expose is the one serving.
 */
export async function serve(scope: RunScope, req: Omit<ContainerRequest, 'network' | 'healthcheck'>, opts: {
  port: number;
  healthPath: string;
  healthTest: readonly string[] | undefined;
  timing: HealthTiming;
}): Promise<Served> {
  const container = await scope.create({
    ...req,
    env: { ...req.env, PORT: String(opts.port) },
    network: 'host',
    healthcheck: fastHealthcheck(opts.healthTest, opts.timing),
  });
  await container.start();
  const health = await waitForHealth(container, healthDeadlineMs(opts.timing));
  const url = `http://127.0.0.1:${opts.port}${opts.healthPath}`;
  let http: HttpAnswer | Error | undefined;
  if (health.status === 'healthy' || health.status === 'none' || health.status === 'unhealthy') {
    http = await httpGet(url).catch((e: Error) => e);
  }
  return { container, health, http, url };
}

/** Rows `<id>a` (Docker health) and `<id>b` (direct GET), shared by checks 6 and 7. */
export function judgeServed(id: string, check: string, served: Pick<Served, 'health' | 'http' | 'url'>): Row[] {
  const { health, http } = served;
  const secs = (health.elapsedMs / 1000).toFixed(1);
  const healthText = health.status === 'healthy'
    ? `healthy after ${secs} s`
    : `${health.status} after ${secs} s: ${oneLine(health.detail).slice(0, 160)}`;
  return [
    row(`${id}a`, check, 'Docker health: healthy', healthText, health.status === 'healthy'),
    row(`${id}b`, check, `GET ${served.url} → 200`, describeHttp(http), !(http instanceof Error) && http?.status === 200),
  ];
}

export function describeHttp(http: HttpAnswer | Error | undefined): string {
  if (http === undefined) return 'not attempted (container not running)';
  if (http instanceof Error) return `error: ${oneLine(http.message)}`;
  return `${http.status} ${oneLine(http.body).slice(0, 100)}`;
}
