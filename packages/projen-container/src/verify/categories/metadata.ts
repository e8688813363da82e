import { posix } from 'path';
import type Docker from 'dockerode';
import type { HealthTiming, MetadataCheck } from '../../container/check-plan';
import { SCRATCH } from '../../container/dockerfile';
import { inspectImage } from '../../engine';
import { broken, list, mb, Row, row, RowHead, rowId } from '../report';

/** The parts of `docker image inspect` metadata checks read. */
export interface ImageFacts {
  readonly config: {
    readonly User?: string;
    readonly ExposedPorts?: Record<string, unknown> | null;
    readonly Env?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly Entrypoint?: readonly string[] | string | null;
    readonly Labels?: Record<string, string> | null;
    readonly Healthcheck?: {
      readonly Test?: readonly string[] | null;
      readonly Interval?: number;
      readonly Timeout?: number;
      readonly StartPeriod?: number;
      readonly Retries?: number;
    } | null;
  };
  readonly sizeBytes: number;
  /** The runtime base, to report our payload over it; absent when that image is not local. */
  readonly base: { readonly ref: string; readonly sizeBytes?: number };
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);
const NS_PER_S = 1e9;

export function envMap(env: readonly string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** Judges one metadata entry from the image's inspect facts alone; no container needed. */
export function judgeMetadata(check: MetadataCheck, facts: ImageFacts): Row {
  const id = rowId('metadata', check.name);
  const at = (expected: string): RowHead => ({ id, title: check.title, expected });
  const config = facts.config;
  switch (check.field) {
    case 'exposedPort': {
      const exposed = Object.keys(config.ExposedPorts ?? {});
      return row(at(`EXPOSE ${check.port}/tcp`), exposed.length ? `EXPOSE ${exposed.join(' ')}` : 'nothing exposed',
        exposed.includes(`${check.port}/tcp`));
    }
    case 'cmd': {
      // A shell (or npm) as PID 1 does not forward SIGTERM: the stop check catches the symptom, this row names the cause.
      const cmd = config.Cmd ?? [];
      const entrypoint = typeof config.Entrypoint === 'string' ? [config.Entrypoint] : config.Entrypoint ?? [];
      const shell = entrypoint.length > 0 && SHELLS.has(posix.basename(entrypoint[0]));
      return row(at(`exec-form CMD ${JSON.stringify(check.cmd)}, no shell entrypoint`),
        `CMD ${JSON.stringify(config.Cmd ?? null)}${entrypoint.length ? `, ENTRYPOINT ${JSON.stringify(entrypoint)}` : ''}`,
        !shell && JSON.stringify(cmd) === JSON.stringify(check.cmd));
    }
    case 'env': {
      const env = envMap(config.Env);
      const wrong = Object.entries(check.env).filter(([k, v]) => env[k] !== v)
        .map(([k]) => `${k}=${env[k] === undefined ? '(unset)' : JSON.stringify(env[k])}`);
      return row(at(Object.entries(check.env).map(([k, v]) => `${k}=${v}`).join(' ')),
        wrong.length ? `wrong: ${wrong.join(' ')}` : 'all set', wrong.length === 0);
    }
    case 'user': {
      const user = config.User ?? '';
      const name = user.split(':')[0];
      const root = name === '' || name === 'root' || name === '0';
      return row(at(`USER ${check.user} (not root)`), user ? `USER ${user}` : 'USER unset: root', user === check.user && !root);
    }
    case 'labels': {
      const labels = config.Labels ?? {};
      const bad = check.keys.filter((k) => !labels[k]?.trim());
      return row(at(`labels ${list(check.keys, 10)} non-empty`),
        bad.length ? `missing or empty: ${list(bad, 10)}` : `all ${check.keys.length} set`, bad.length === 0);
    }
    case 'noSecretEnv': {
      let pattern: RegExp;
      try {
        // Case-insensitive, as dockle's CIS-DI-0010: `api_key` is as much a secret as `API_KEY`.
        pattern = new RegExp(check.pattern, 'i');
      } catch (e) {
        return broken(at(`no ENV key matching /${check.pattern}/`), new Error(`pattern ${JSON.stringify(check.pattern)} is not a regular expression: ${(e as Error).message}`));
      }
      const secrets = Object.keys(envMap(config.Env)).filter((k) => pattern.test(k));
      return row(at(`no ENV key matching /${check.pattern}/`), list(secrets), secrets.length === 0);
    }
    case 'healthcheck':
      return judgeHealthcheck(at(`HEALTHCHECK ${describeTiming(check.timing)}`), config.Healthcheck, check.timing);
    case 'size': {
      const payload = facts.base.sizeBytes === undefined
        ? `payload unknown (${facts.base.ref} not present locally)`
        : `payload ${mb(facts.sizeBytes - facts.base.sizeBytes)} over ${facts.base.ref} (${mb(facts.base.sizeBytes)})`;
      return row(at(`≤ ${check.maxMb} MB`), `${mb(facts.sizeBytes)}; ${payload}`, facts.sizeBytes <= check.maxMb * 1e6);
    }
  }
}

function describeTiming(t: HealthTiming): string {
  return `--interval=${t.intervalS}s --timeout=${t.timeoutS}s --start-period=${t.startPeriodS}s --retries=${t.retries}`;
}

/** What Docker runs when HEALTHCHECK leaves an option out (inspect then shows 0 or nothing). */
const DOCKER_DEFAULT_TIMING: HealthTiming = { intervalS: 30, timeoutS: 30, startPeriodS: 0, retries: 3 };

function judgeHealthcheck(at: RowHead, hc: ImageFacts['config']['Healthcheck'], timing: HealthTiming): Row {
  const test = hc?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return row(at, 'none', false);
  const seconds = (ns: number | undefined, fallback: number) => (ns ? ns / NS_PER_S : fallback);
  const measured: HealthTiming = {
    intervalS: seconds(hc?.Interval, DOCKER_DEFAULT_TIMING.intervalS),
    timeoutS: seconds(hc?.Timeout, DOCKER_DEFAULT_TIMING.timeoutS),
    startPeriodS: seconds(hc?.StartPeriod, DOCKER_DEFAULT_TIMING.startPeriodS),
    retries: hc?.Retries || DOCKER_DEFAULT_TIMING.retries,
  };
  const same = (Object.keys(timing) as (keyof HealthTiming)[]).every((k) => measured[k] === timing[k]);
  return row(at, `HEALTHCHECK ${describeTiming(measured)}`, same);
}

/** Inspects the image and the image its runtime starts FROM once; every metadata entry is judged from those facts. */
export async function checkMetadata(
  docker: Docker, image: Docker.ImageInspectInfo, baseRef: string, checks: readonly MetadataCheck[],
): Promise<Row[]> {
  const base = { ref: baseRef, sizeBytes: baseRef === SCRATCH ? 0 : (await inspectImage(docker, baseRef))?.Size };
  const facts: ImageFacts = { config: image.Config, sizeBytes: image.Size, base };
  return checks.map((check) => judgeMetadata(check, facts));
}
