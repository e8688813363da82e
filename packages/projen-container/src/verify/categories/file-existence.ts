import type { FileExistenceCheck } from '../../container/check-plan';
import type { RunScope } from '../../engine';
import { broken, list, Row, row, RowHead, rowId } from '../report';
import { FileFacts, runFileProbe, WALK_LIMIT } from './file-probe';

function head(check: FileExistenceCheck): RowHead {
  const commands = check.commands?.length ? list(check.commands, 8) : '';
  const expected = check.shouldExist
    ? [check.paths.length ? `present${check.kind ? ` as ${check.kind}` : ''}: ${list(check.paths, 8)}` : '', commands ? `on PATH: ${commands}` : '']
    : [check.paths.length ? `absent: ${list(check.paths, 8)}` : '', commands ? `not on PATH: ${commands}` : ''];
  return { id: rowId('fileExistence', check.name), title: check.title, expected: expected.filter(Boolean).join('; ') };
}

/**
 * Presence and absence in one shape, as in container-structure-test: with
 * `shouldExist` every pattern (every home, for `~/`) must match, with the
 * right kind; without it nothing may match. Measured lists the offenders.
 */
export function judgeFileExistence(check: FileExistenceCheck, facts: FileFacts | Error): Row {
  if (facts instanceof Error) return broken(head(check), facts);
  const targets = check.paths.flatMap((p) => facts.targets[p] ?? []);
  const found = (check.commands ?? []).map((c) => [c, facts.commands[c]] as const);
  // A pattern the probe did not report on is unmeasured, which must not read as absent.
  const unprobed = [...check.paths.filter((p) => !facts.targets[p]), ...found.filter(([, at]) => at === undefined).map(([c]) => c)]
    .map((x) => `${x} not probed`);
  if (check.shouldExist) {
    const offenders = [
      ...targets.filter((t) => t.matches.length === 0).map((t) => `${t.pattern} missing${t.truncated ? ' (walk stopped)' : ''}`),
      ...targets.flatMap((t) => t.matches).filter((m) => check.kind && m.kind !== check.kind).map((m) => `${m.path} is a ${m.kind}`),
      ...found.filter(([, at]) => at === null).map(([c]) => `${c} not on PATH`),
      ...unprobed,
    ];
    return row(head(check), offenders.length ? list(offenders) : 'all present', offenders.length === 0);
  }
  const offenders = [
    ...targets.flatMap((t) => t.matches).map((m) => m.path),
    ...found.filter(([, at]) => typeof at === 'string').map(([c, at]) => `${c} at ${at}`),
    ...targets.filter((t) => t.truncated).map((t) => `${t.pattern}: walk stopped after ${WALK_LIMIT} entries, absence unproven`),
    ...unprobed,
  ];
  return row(head(check), offenders.length ? list(offenders) : 'none present', offenders.length === 0);
}

/** One probe container resolves every entry's paths and commands; if it breaks, every entry says so. */
export async function checkFileExistence(scope: RunScope, checks: readonly FileExistenceCheck[]): Promise<Row[]> {
  if (checks.length === 0) return [];
  const facts = await runFileProbe(scope, {
    patterns: [...new Set(checks.flatMap((c) => c.paths))],
    commands: [...new Set(checks.flatMap((c) => c.commands ?? []))],
    walkLimit: WALK_LIMIT,
  }).catch((e: Error) => e);
  return checks.map((check) => judgeFileExistence(check, facts));
}
