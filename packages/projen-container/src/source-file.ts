import { relative, sep } from 'path';

/**
 * A source file of this construct as a path relative to the project, in the
 * forward slashes Renovate's `fileMatch` expects: where a pin it declares sits.
 */
export function sourceFile(projectDir: string, file: string): string {
  return relative(projectDir, file).split(sep).join('/');
}
