import { isAbsolute, relative, sep } from 'path';

/**
 * Where a source file of this package sits in the project, in the forward slashes Renovate's file patterns
 * expect, when the project holds it as TypeScript: the package's own repository, where a pin it declares is
 * edited. Undefined where the package runs compiled, from node_modules or from outside the project, as in a
 * consumer: its pins are not the consumer's to edit, and new ones reach it with the package's releases.
 */
export function ownSourceFile(projectDir: string, file: string): string | undefined {
  const path = relative(projectDir, file).split(sep).join('/');
  const inProject = !isAbsolute(path) && path !== '..' && !path.startsWith('../') && !path.split('/').includes('node_modules');
  return inProject && path.endsWith('.ts') ? path : undefined;
}
