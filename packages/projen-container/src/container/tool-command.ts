import { join, relative, sep } from 'path';

/**
 * The package's compiled output: its tools run from here whether the
 * components were loaded from it (a consumer's node_modules) or from the
 * sources beside it (this package's own repository, which compiles it before
 * any task runs a tool).
 */
const COMPILED_ROOT = join(__dirname, '..', '..', 'lib');

/**
 * The command a task runs for one of the package's tools (`entry` relative to
 * its root, without extension, e.g. `container/lock-cli`): node on the
 * compiled file, never a TypeScript runner on sources. The path is relative to
 * the project, so the task reads the same on every machine.
 */
export function toolCommand(projectDir: string, entry: string): string {
  return `node ${relative(projectDir, join(COMPILED_ROOT, `${entry}.js`)).split(sep).join('/')}`;
}
