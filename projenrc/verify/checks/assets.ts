import { VerifySpec } from '../load-spec';
import { inWorkdir } from '../paths';
import { ProbeFacts } from '../probe';
import { Row, row } from '../report';

const CHECK = 'runtime assets and entry point present';

/**
 * The mirror image of check 4: stripping the image must not strip what the
 * app reads at run time. Assets may be folders or files; the entry point must
 * be a file node can load.
 */
export function judgeAssets(spec: VerifySpec, facts: ProbeFacts): Row[] {
  const missing = spec.assets.filter((a) => facts.kinds[inWorkdir(spec, a)] == null);
  const entry = inWorkdir(spec, spec.entrypoint);
  const entryKind = facts.kinds[entry] ?? null;
  return [
    row('5a', CHECK, `${spec.assets.length ? spec.assets.join(', ') : '(no assets)'} in ${spec.workdir}`,
      missing.length ? `missing: ${missing.join(', ')}` : 'all present', missing.length === 0),
    row('5b', CHECK, `${entry} is a file`, entryKind ? `${entryKind}` : 'missing', entryKind === 'file'),
  ];
}
