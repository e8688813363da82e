import { parse } from 'yaml';
import type { PackageManager } from './package-manager';

/**
 * The packages a production install keeps, by name, from the text of the
 * manager's lockfile: a devDependency that a dependency also needs
 * (fastify's ajv, say) is rightly in the image. Pure.
 */
export function productionPackages(pm: PackageManager, lockText: string): Set<string> {
  switch (pm.name) {
    case 'npm': return npmProductionPackages(lockText);
    case 'pnpm': return pnpmProductionPackages(lockText, pm.lockFile);
  }
}

/** npm's lockfile flags what only development needs; its top-level entries are the hoisted packages. */
function npmProductionPackages(lockText: string): Set<string> {
  const packages: Record<string, { dev?: boolean; devOptional?: boolean }> = JSON.parse(lockText).packages ?? {};
  return new Set(Object.entries(packages)
    .filter(([key, entry]) => key.startsWith('node_modules/') && !key.includes('/node_modules/', 1) && !entry.dev && !entry.devOptional)
    .map(([key]) => key.slice('node_modules/'.length)));
}

type Dependencies = Readonly<Record<string, string>>;

interface PnpmLock {
  readonly lockfileVersion?: string | number;
  readonly importers?: Readonly<Record<string, {
    readonly dependencies?: Readonly<Record<string, { readonly version: string }>>;
    readonly optionalDependencies?: Readonly<Record<string, { readonly version: string }>>;
  }>>;
  readonly snapshots?: Readonly<Record<string, { readonly dependencies?: Dependencies; readonly optionalDependencies?: Dependencies }>>;
}

/** A version that names another package, `string-width@4.2.3` for an alias: its snapshot key as it is. */
const ALIASED = /^(?:@[^/@]+\/)?[^/@:()]+@/;

/**
 * pnpm's lockfile (v9, pnpm 9 and later) flags nothing: what production keeps
 * is what the project's dependencies reach through the snapshots' own
 * dependencies. Workspace links have no snapshot and add only their name.
 */
function pnpmProductionPackages(lockText: string, lockFile: string): Set<string> {
  const lock = (parse(lockText) ?? {}) as PnpmLock;
  const version = String(lock.lockfileVersion);
  if (!/^9(\.|$)/.test(version)) {
    throw new Error(`ContainerImage: ${lockFile} has lockfileVersion ${JSON.stringify(version)}, and only 9.x (pnpm 9 and later) is read`);
  }
  const root = lock.importers?.['.'] ?? {};
  const names = new Set<string>();
  const seen = new Set<string>();
  const pending = Object.entries({ ...root.dependencies, ...root.optionalDependencies }).map(([name, d]) => [name, d.version]);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [name, resolved] = next;
    names.add(name);
    const key = ALIASED.test(resolved) ? resolved : `${name}@${resolved}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const snapshot = lock.snapshots?.[key];
    pending.push(...Object.entries({ ...snapshot?.dependencies, ...snapshot?.optionalDependencies }));
  }
  return names;
}
