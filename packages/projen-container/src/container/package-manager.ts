import { existsSync } from 'fs';
import { join } from 'path';
import type { javascript } from 'projen';
import * as z from 'zod';
import { text } from './spec-fields';

/**
 * The managers whose lockfile every install can be frozen to, in the image,
 * the Makefile and the workflows. yarn and bun are refused rather than half
 * supported: a Dockerfile must never copy one manager's lockfile and run
 * another.
 */
export const PACKAGE_MANAGER_NAMES = ['npm', 'pnpm'] as const;

/** The project's package manager, as projen declares it. */
export const packageManagerSchema = z.strictObject({
  name: z.enum(PACKAGE_MANAGER_NAMES),
  /** projen's lockfile for it: every install is frozen to it. */
  lockFile: text,
  /** projen's install frozen to {@link lockFile}, e.g. `npm ci`. */
  install: text,
  /** The exact version to install first, where node does not bring the manager: package.json's `packageManager` (pnpm). */
  version: text.optional(),
}).readonly();
export type PackageManager = z.infer<typeof packageManagerSchema>;

/** The parts of projen's NodePackage that decide how a project installs. */
export type NodePackageFacts = Pick<javascript.NodePackage, 'packageManager' | 'lockFile' | 'installCommand' | 'pnpmVersion'>;

/**
 * The package manager of projen's NodePackage: its lockfile and frozen
 * install are projen's own. Throws, in one line naming `owner`, for a
 * manager the installs cannot be frozen with, and for a pnpm version that is
 * not exact (the image and the workflows install exactly it). Pure.
 */
export function resolvePackageManager(pkg: NodePackageFacts, owner: string): PackageManager {
  const name: string = pkg.packageManager;
  const base = { lockFile: pkg.lockFile, install: pkg.installCommand };
  if (name === 'npm') return { name, ...base };
  if (name === 'pnpm') {
    const version = pkg.pnpmVersion;
    if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
      throw new Error(`${owner}: "pnpmVersion" must be an exact version (the image and the workflows install it), got ${JSON.stringify(version)}`);
    }
    return { name, ...base, version };
  }
  throw new Error(`${owner}: "packageManager" must be ${PACKAGE_MANAGER_NAMES.join(' or ')} (installs are frozen to their lockfiles), got ${JSON.stringify(name)}`);
}

/**
 * How the manager gets onto a machine with node: npm comes with node, pnpm is
 * installed by npm at its exact version, from the registry every install
 * already reaches (Node 25 and later no longer ship corepack). Pure.
 */
export function setupCommand(pm: PackageManager): string | undefined {
  return pm.version ? `npm install --global --no-audit --no-fund ${pm.name}@${pm.version}` : undefined;
}

/** npm's download cache in the build stage: a BuildKit cache mount, never a layer. */
export const NPM_CACHE = '/root/.npm';

/** pnpm's store in the build stage, named on the command line so the cache mount is where pnpm looks. */
const PNPM_STORE = '/root/.pnpm-store';

/** The build stage's frozen install, without install scripts (the Dockerfile says why), and the cache it mounts. Pure. */
export function imageInstall(pm: PackageManager): { readonly command: string; readonly cache: string } {
  switch (pm.name) {
    case 'npm': return { command: `${pm.install} --ignore-scripts --no-audit --no-fund`, cache: NPM_CACHE };
    case 'pnpm': return { command: `${pm.install} --ignore-scripts --store-dir=${PNPM_STORE}`, cache: PNPM_STORE };
  }
}

/** A file every frozen install rewrites, so it stands for node_modules as a make target. Pure. */
export function installStamp(pm: PackageManager): string {
  switch (pm.name) {
    case 'npm': return 'node_modules/.package-lock.json';
    case 'pnpm': return 'node_modules/.modules.yaml';
  }
}

/**
 * Why the build cannot install, in one line, or undefined: the lockfile is
 * missing (projen writes it with its first install, which synthesis alone
 * does not run).
 */
export function lockfileProblem(pm: PackageManager, projectDir: string): string | undefined {
  return existsSync(join(projectDir, pm.lockFile)) ? undefined
    : `${pm.lockFile} is missing, and the image installs frozen from it: run npx projen install to write it`;
}
