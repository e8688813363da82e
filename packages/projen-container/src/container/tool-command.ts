import { existsSync } from 'fs';
import { extname, join, relative, sep } from 'path';

/** The folder this construct lives in: its tools are found from here, not from the project's layout. */
const CONSTRUCT_ROOT = join(__dirname, '..');

/**
 * The command a task runs for one of the construct's entry points (`entry`
 * relative to the construct's root, without extension, e.g.
 * `container/lock-cli`), as a path relative to the project, so the task
 * reads the same on every machine. Loaded from TypeScript sources it runs
 * through ts-node without type-checking (that is the build's job) with the
 * construct's own tsconfig; compiled, through node.
 */
export function toolCommand(projectDir: string, entry: string): string {
  const ext = extname(__filename);
  const rel = (path: string) => relative(projectDir, path).split(sep).join('/');
  const file = rel(join(CONSTRUCT_ROOT, `${entry}${ext}`));
  if (ext !== '.ts') return `node ${file}`;
  const tsconfig = join(CONSTRUCT_ROOT, 'tsconfig.json');
  return `ts-node --transpile-only${existsSync(tsconfig) ? ` --project ${rel(tsconfig)}` : ''} ${file}`;
}
