import Docker from 'dockerode';
import { judgeAssets } from './checks/assets';
import { checkDatabase } from './checks/database';
import { judgeDevPackages } from './checks/dev-packages';
import { judgeServed, serve } from './checks/health';
import { judgeMetadata } from './checks/metadata';
import { checkSize } from './checks/size';
import { checkStop } from './checks/stop';
import { checkUser } from './checks/user';
import { RunScope } from './containers';
import { devDependencyBins } from './dev-bins';
import { VerifySpec } from './load-spec';
import { probeRequest } from './paths';
import { runProbe } from './probe';
import { broken, Row, skipped } from './report';

/** Check titles by number, for rows of checks that could not run at all. */
export const CHECKS: Record<number, string> = {
  2: 'runs as non-root user',
  3: 'size within budget',
  4: 'no dev packages or build leftovers',
  5: 'runtime assets and entry point present',
  6: 'starts and reports healthy',
  7: 'healthy read-only, no caps, arbitrary uid',
  8: 'stops promptly on SIGTERM',
  9: 'image metadata',
  10: 'migrates and serves with a database',
};

/** The restrictions of check 7: what a hardened orchestrator (PSS "restricted", OpenShift) imposes. */
export const HARDENED_USER = '4242:4242';
export const HARDENED: Docker.HostConfig = {
  ReadonlyRootfs: true,
  Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges'],
};

export interface VerifyInput {
  readonly docker: Docker;
  readonly spec: VerifySpec;
  /** An image that exists locally (check 1 has passed). */
  readonly image: string;
  readonly runId: string;
  /** Where devDependency manifests are read, to learn their binary names. */
  readonly projectRoot: string;
  readonly databaseUrl?: string;
  /** `docker stop -t`; 10 like Docker's default. Tests lower it to fail fast. */
  readonly stopTimeoutS?: number;
  readonly ports: { readonly health: number; readonly hardened: number; readonly database: number };
}

/** Rows for checks 2-10 when there is no image to check. */
export function skipAll(reason: string): Row[] {
  return Object.entries(CHECKS).map(([id, title]) => skipped(id, title, '-', reason));
}

/**
 * Runs checks 2-10 against an existing image. Independent checks run
 * concurrently (each container has its own name and port); 6 and 8 share a
 * container because stopping a healthy app is the point of 8. Every check
 * turns its own errors into a failed row, so one broken probe cannot hide
 * the others' results.
 */
export async function verifyImage(input: VerifyInput): Promise<Row[]> {
  const { docker, spec } = input;
  const scope = new RunScope(docker, input.runId, input.image);
  const info = await docker.getImage(input.image).inspect();
  const config = info.Config;
  const healthTest = config.Healthcheck?.Test;
  const guard = (id: number, work: () => Promise<Row[]>) =>
    work().catch((e: unknown) => [broken(String(id), CHECKS[id], 'check completes', e)]);

  try {
    const results = await Promise.all([
      guard(9, async () => judgeMetadata(spec, config)),
      guard(3, () => checkSize(docker, spec, info.Size)),
      guard(2, () => checkUser(scope, spec, config.User ?? '')),
      // Checks 4 and 5 judge the same probe run; if it breaks, both say so.
      (async () => {
        try {
          const bins = devDependencyBins(input.projectRoot, spec.devDependencies);
          const facts = await runProbe(scope, probeRequest(spec, bins));
          return [...judgeDevPackages(spec, bins, facts), ...judgeAssets(spec, facts)];
        } catch (e) {
          return [broken('4', CHECKS[4], 'probe completes', e), broken('5', CHECKS[5], 'probe completes', e)];
        }
      })(),
      guard(6, async () => {
        const served = await serve(scope, { name: 'health' }, { port: input.ports.health, healthPath: spec.healthPath, healthTest, timing: spec.healthcheck });
        const rows = judgeServed('6', CHECKS[6], served);
        const stop = await checkStop(served.container, input.stopTimeoutS ?? 10)
          .catch((e: unknown) => [broken('8', CHECKS[8], 'exit 0 within 2 s', e)]);
        return [...rows, ...stop];
      }),
      guard(7, async () => {
        const served = await serve(scope, { name: 'hardened', user: HARDENED_USER, hostConfig: HARDENED },
          { port: input.ports.hardened, healthPath: spec.healthPath, healthTest, timing: spec.healthcheck });
        await served.container.remove({ force: true }).catch(() => undefined);
        return judgeServed('7', CHECKS[7], served).map((r) => ({
          ...r,
          expected: r.id === '7a'
            ? `healthy as ${HARDENED_USER} with --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges`
            : r.expected,
        }));
      }),
      guard(10, () => checkDatabase(scope, spec, { databaseUrl: input.databaseUrl, port: input.ports.database, healthTest })),
    ]);
    return results.flat();
  } finally {
    await scope.sweep().catch(() => undefined);
  }
}
