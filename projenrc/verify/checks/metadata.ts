import { posix } from 'path';
import { VerifySpec } from '../load-spec';
import { Row, row } from '../report';
import { list } from './dev-packages';
import { SECRET_KEY } from '../../container/container-image-props';

const CHECK = 'image metadata';

/** The parts of `docker image inspect .Config` this check reads. */
export interface ImageConfig {
  readonly User?: string;
  readonly ExposedPorts?: Record<string, unknown> | null;
  readonly Env?: string[] | null;
  readonly Cmd?: string[] | null;
  readonly Entrypoint?: string[] | string | null;
  readonly Labels?: Record<string, string> | null;
  readonly Healthcheck?: { Test?: string[] | null } | null;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);

export function envMap(env: readonly string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/**
 * Judges the config alone, no container needed. Exec-form CMD matters
 * because a shell (or npm) as PID 1 does not forward SIGTERM: check 8 would
 * catch the symptom, this row names the cause.
 */
export function judgeMetadata(spec: VerifySpec, config: ImageConfig): Row[] {
  const port = `${spec.port}/tcp`;
  const exposed = Object.keys(config.ExposedPorts ?? {});

  const cmd = Array.isArray(config.Cmd) ? config.Cmd : [];
  const entrypoint = Array.isArray(config.Entrypoint) ? config.Entrypoint : config.Entrypoint ? [config.Entrypoint] : [];
  const shellEntrypoint = entrypoint.length > 0 && SHELLS.has(posix.basename(entrypoint[0]));
  // The spec's exact CMD when it gives one; otherwise any exec-form command starting with node.
  const cmdOk = cmd.length > 0 && posix.basename(cmd[0]) === 'node' && !shellEntrypoint
    && JSON.stringify(cmd) === JSON.stringify(spec.cmd);
  const cmdText = `CMD ${JSON.stringify(config.Cmd ?? null)}${entrypoint.length ? `, ENTRYPOINT ${JSON.stringify(entrypoint)}` : ''}`;

  const env = envMap(config.Env);
  const wanted: Record<string, string> = { ...spec.env, NODE_ENV: 'production' };
  const wrongEnv = Object.entries(wanted).filter(([k, v]) => env[k] !== v)
    .map(([k]) => `${k}=${env[k] === undefined ? '(unset)' : JSON.stringify(env[k])}`);

  const labels = config.Labels ?? {};
  const badLabels = spec.labels.filter((k) => !labels[k] || !labels[k].trim());

  const secrets = Object.keys(env).filter((k) => SECRET_KEY.test(k));

  const test = config.Healthcheck?.Test ?? [];
  const hasHealth = test.length > 0 && test[0] !== 'NONE';

  return [
    row('9a', CHECK, `EXPOSE ${port}`, exposed.length ? `EXPOSE ${exposed.join(' ')}` : 'nothing exposed', exposed.includes(port)),
    row('9b', CHECK, `exec-form CMD ${JSON.stringify(spec.cmd)}, no shell entrypoint`, cmdText, cmdOk),
    row('9c', CHECK, Object.entries(wanted).map(([k, v]) => `${k}=${v}`).join(' '),
      wrongEnv.length ? `wrong: ${wrongEnv.join(' ')}` : 'all set', wrongEnv.length === 0),
    row('9d', CHECK, `labels ${list(spec.labels, 10)} non-empty`,
      badLabels.length ? `missing or empty: ${list(badLabels, 10)}` : `all ${spec.labels.length} present`, badLabels.length === 0),
    row('9e', CHECK, `no ENV key matching ${SECRET_KEY.source}`, list(secrets), secrets.length === 0),
    row('9f', CHECK, 'HEALTHCHECK in config', hasHealth ? `HEALTHCHECK ${JSON.stringify(test).slice(0, 80)}` : 'none', hasHealth),
  ];
}
