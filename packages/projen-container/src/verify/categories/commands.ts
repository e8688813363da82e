import type { CommandCheck } from '../../container/check-plan';
import type { RunResult, RunScope } from '../../engine';
import { broken, oneLine, Row, row, RowHead, rowId } from '../report';

function head(check: CommandCheck): RowHead {
  return { id: rowId('commands', check.name), title: check.title, expected: `\`${check.command.join(' ')}\` prints ${JSON.stringify(check.expectedOutput)}` };
}

/** A command passes when it exits 0 and its trimmed stdout is exactly the expected text. */
export function judgeCommand(check: CommandCheck, result: RunResult | Error): Row {
  if (result instanceof Error) return broken(head(check), result);
  const stdout = result.stdout.trim();
  const measured = result.exitCode === 0
    ? JSON.stringify(stdout)
    : `exit ${result.exitCode}: ${oneLine(result.stderr || result.stdout).slice(0, 160)}`;
  return row(head(check), measured, result.exitCode === 0 && stdout === check.expectedOutput);
}

/**
 * Each command in its own container, as the image's default user, without a
 * network: the first word replaces the entrypoint, so an image without a
 * shell can run it, and each answer stays attributable.
 */
export async function checkCommands(scope: RunScope, checks: readonly CommandCheck[]): Promise<Row[]> {
  return Promise.all(checks.map(async (check) => {
    const [entrypoint, ...cmd] = check.command;
    const result = await scope.run({ name: `cmd-${check.name}`, entrypoint: [entrypoint], cmd, network: 'none' })
      .catch((e: Error) => e);
    return judgeCommand(check, result);
  }));
}
