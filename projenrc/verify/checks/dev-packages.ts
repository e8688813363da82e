import { VerifySpec } from '../load-spec';
import { forbiddenPaths, inWorkdir, NODE_MODULES_CACHE, PACKAGE_MANAGERS } from '../paths';
import { ProbeFacts } from '../probe';
import { Row, row } from '../report';

const CHECK = 'no dev packages or build leftovers';

/** Lists at most `max` items, so one bad image does not flood the table. */
export function list(items: readonly string[], max = 6): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}

/**
 * Pure judgement of the probe's facts. Each row answers one question a
 * reviewer would ask, so a failure names what leaked (e.g. `typescript`),
 * not just that "something" did.
 */
export function judgeDevPackages(spec: VerifySpec, devBins: Record<string, readonly string[]>, facts: ProbeFacts): Row[] {
  const present = (rel: string) => facts.kinds[inWorkdir(spec, rel)] != null;
  const allBins = [...new Set(Object.values(devBins).flat())].sort();
  const devDirs = spec.devDependencies.filter((d) => present(`node_modules/${d}`));
  const inBinDir = allBins.filter((b) => facts.binEntries?.includes(b));
  const onPath = allBins.filter((b) => facts.onPath[b]).map((b) => facts.onPath[b] as string);
  const caches = [...facts.homeHits, ...(present(NODE_MODULES_CACHE) ? [inWorkdir(spec, NODE_MODULES_CACHE)] : [])];
  const leftovers = [
    ...forbiddenPaths(spec).filter(present).map((p) => `${p}${facts.kinds[inWorkdir(spec, p)] === 'dir' ? '/' : ''}`),
    ...facts.walk.gitDirs,
    ...facts.walk.srcTs,
    ...facts.walk.envFiles,
  ];
  const uniqueLeftovers = [...new Set(leftovers)];
  const absolute = spec.forbiddenAbsolutePaths;
  const absolutePresent = absolute.filter((p) => facts.kinds[p] != null);
  const allowed: readonly string[] = spec.npmInRuntime ? ['npm', 'npx'] : [];
  const managers = PACKAGE_MANAGERS.filter((m) => facts.onPath[m]);
  const unexpectedManagers = managers.filter((m) => !allowed.includes(m));
  const expectedManagers = spec.npmInRuntime ? 'corepack, yarn absent (npm kept: npmInRuntime)' : 'npm, npx, corepack, yarn absent';
  return [
    row('4a', CHECK, `none of ${spec.devDependencies.length} devDependencies in ${inWorkdir(spec, 'node_modules')}`,
      list(devDirs), devDirs.length === 0),
    row('4b', CHECK, `none of their ${allBins.length} binaries in node_modules/.bin`, list(inBinDir), inBinDir.length === 0),
    row('4c', CHECK, 'none of their binaries on PATH', list(onPath), onPath.length === 0),
    row('4d', CHECK, 'no npm cache (~/.npm of any user, node_modules/.cache)', list(caches), caches.length === 0),
    row('4e', CHECK, `none of ${list(forbiddenPaths(spec), 10)}, .git, src/**/*.ts, .env* in ${spec.workdir}`,
      list(uniqueLeftovers), uniqueLeftovers.length === 0),
    row('4f', CHECK, expectedManagers,
      managers.length ? managers.map((m) => `${m} at ${facts.onPath[m]}`).join(', ') : 'all absent', unexpectedManagers.length === 0),
    row('4g', CHECK, `none of the spec's absolute paths: ${list(absolute, 8)}`, list(absolutePresent), absolutePresent.length === 0),
  ];
}
