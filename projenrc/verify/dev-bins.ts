import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * The executables a package installs, from its manifest's `bin` field: a
 * string means one binary named after the package (scope dropped), an
 * object maps binary names to files.
 */
export function binNames(packageName: string, bin: unknown): string[] {
  if (typeof bin === 'string') return [packageName.replace(/^@[^/]+\//, '')];
  if (bin && typeof bin === 'object') return Object.keys(bin);
  return [];
}

/**
 * Binary names of every devDependency, read from the host's installed
 * manifests (the spec lists names only). A devDependency that is not
 * installed on the host contributes nothing; its folder is still checked.
 */
export function devDependencyBins(projectRoot: string, devDependencies: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const dep of devDependencies) {
    try {
      const manifest = JSON.parse(readFileSync(join(projectRoot, 'node_modules', dep, 'package.json'), 'utf8'));
      out[dep] = binNames(dep, manifest.bin);
    } catch {
      out[dep] = [];
    }
  }
  return out;
}
