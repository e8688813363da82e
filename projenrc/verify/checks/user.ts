import { RunScope } from '../containers';
import { VerifySpec } from '../load-spec';
import { broken, Row, row } from '../report';

const CHECK = 'runs as non-root user';

export interface IdentityFacts {
  /** `User` from the image config ('' means root). */
  readonly configUser: string;
  /** Output of `whoami` run as the image's default user (or its error). */
  readonly whoami: string;
  /** Output of `id -u` run as the image's default user. */
  readonly uid: string;
}

/**
 * Three facts, because each can lie alone: the config can name a user that
 * maps to uid 0, and `whoami` can print a name whose uid differs from the
 * spec's (so file ownership chosen at build time would not match).
 */
export function judgeUser(spec: VerifySpec, facts: IdentityFacts): Row[] {
  const uid = facts.uid.trim();
  const configUser = facts.configUser.trim();
  const userPart = configUser.split(':')[0];
  const acceptable = [spec.user, String(spec.uid), uid].filter((x) => /\S/.test(x));
  return [
    row('2a', CHECK, `whoami prints ${spec.user}`, `whoami: ${facts.whoami.trim() || '(nothing)'}`, facts.whoami.trim() === spec.user),
    row('2b', CHECK, `config User is ${spec.user} or ${spec.uid}`,
      `User: ${configUser ? JSON.stringify(configUser) : '(unset: root)'}`,
      userPart !== '' && userPart !== 'root' && userPart !== '0' && acceptable.includes(userPart)),
    row('2c', CHECK, `id -u is ${spec.uid} (not 0)`, `id -u: ${uid || '(nothing)'}`, /^\d+$/.test(uid) && uid !== '0' && Number(uid) === spec.uid),
  ];
}

export async function checkUser(scope: RunScope, spec: VerifySpec, configUser: string): Promise<Row[]> {
  try {
    // Separate containers, no shell: the image may have no sh, and each answer stays attributable.
    const [whoami, id] = await Promise.all([
      scope.run({ name: 'whoami', entrypoint: ['whoami'], cmd: [], network: 'none' }),
      scope.run({ name: 'id', entrypoint: ['id'], cmd: ['-u'], network: 'none' }),
    ]);
    const text = (r: { exitCode: number; stdout: string; stderr: string }) =>
      r.exitCode === 0 ? r.stdout : `exit ${r.exitCode} ${r.stderr.trim()}`;
    return judgeUser(spec, { configUser, whoami: text(whoami), uid: text(id) });
  } catch (e) {
    return [broken('2', CHECK, `whoami prints ${spec.user}, uid ${spec.uid}`, e)];
  }
}
