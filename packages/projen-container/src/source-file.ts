import { isAbsolute, relative, sep } from 'path';
import type { RenovatePin } from './renovate';

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

/**
 * A pin this package declares in its own source file, for Renovate where the project holds that file (see
 * {@link ownSourceFile}); undefined elsewhere. Its updates are `fix` commits: they reach consumers only with a
 * release of the package, and a `fix` is what releases it.
 */
export function ownSourcePin(projectDir: string, file: string, pin: Omit<RenovatePin, 'file' | 'semanticCommitType'>): RenovatePin | undefined {
  const path = ownSourceFile(projectDir, file);
  return path === undefined ? undefined : { ...pin, file: path, semanticCommitType: 'fix' };
}
