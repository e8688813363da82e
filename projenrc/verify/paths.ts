import { posix } from 'path';
import { VerifySpec } from './load-spec';
import { ProbeRequest } from './probe';

/** Package managers: the runtime needs node only. */
export const PACKAGE_MANAGERS = ['npm', 'npx', 'corepack', 'yarn'] as const;

/** npm's cache under any home, and the cache folder tools leave in node_modules. */
export const HOME_CACHES = ['.npm'] as const;
export const NODE_MODULES_CACHE = 'node_modules/.cache';

export function inWorkdir(spec: VerifySpec, rel: string): string {
  return posix.join(spec.workdir, rel);
}

export function forbiddenPaths(spec: VerifySpec): string[] {
  const clean = (p: string) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  return [...new Set(spec.forbiddenPaths.map(clean))].filter(Boolean);
}

/** Everything the probe should look at, derived from the spec and the devDependencies' binaries. */
export function probeRequest(spec: VerifySpec, devBins: Record<string, readonly string[]>): ProbeRequest {
  const rel = [
    ...spec.devDependencies.map((d) => `node_modules/${d}`),
    ...forbiddenPaths(spec),
    NODE_MODULES_CACHE,
    ...spec.assets,
    spec.entrypoint,
  ];
  return {
    workdir: spec.workdir,
    paths: [...new Set([...rel.map((r) => inWorkdir(spec, r)), ...spec.forbiddenAbsolutePaths])],
    homeSubpaths: [...HOME_CACHES],
    commands: [...new Set([...Object.values(devBins).flat(), ...PACKAGE_MANAGERS])],
  };
}
