import type * as z from 'zod';
import type { BaseImageLock } from './base-image-lock';
import { lockedRef } from './base-image-lock';
import { appBundle } from './bundle';
import type { CheckPlan } from './check-plan';
import { CHECK_CATEGORIES } from './check-plan';
import type { ContainerImageProps } from './container-image-props';
import {
  DATABASE_ENGINES, DEFAULT_ENGINE_HELP, DEFAULT_NODE_MAJOR, DEFAULT_RUNTIME, DEFAULT_RUNTIME_IMAGE, DEV_VERSION, RUNTIME_KINDS,
  DEFAULT_UID, DEFAULT_USER, DEFAULT_WORKERS, HARDENED_PROFILE, HEALTH_TIMING, DEFAULT_PLATFORMS, MINIMAL_PACKAGES, STOP_SLACK_MS, WORKDIR,
  nodeImageOf,
} from './container-image-props';
import { deriveChecks } from './derive-checks';
import type { PackageManager } from './package-manager';
import type { DebianPackage, ResolvedContainer } from './resolved-container';
import {
  IMAGE, OCI, check, command, fail, id, imageName, imageTag, loginName, oneLine, oneOf, platforms, port, shutdownTimeoutMs, sizeBudgetMb,
  urlPath, workers,
} from './validation';

/** What the construct learns from the project rather than from its props. */
export interface ProjectFacts {
  readonly name: string;
  readonly srcdir: string;
  readonly libdir: string;
  readonly tsconfigFile: string;
  readonly packageManager: PackageManager;
  /** What only builds or tests the project: its tests, projen's config and code, coverage output. */
  readonly buildOnlyPaths: readonly string[];
  /** `main` of package.json, e.g. `lib/index.js`. */
  readonly entrypoint: string;
  readonly repositoryUrl?: string;
  /** Each devDependency with the executables its manifest declares. */
  readonly devDependencies: Readonly<Record<string, readonly string[]>>;
  /** The Node the image runs and the tests run on: {@link resolveNodeMajor}. */
  readonly nodeMajor: number;
}

/** Validated assets, env, labels and checks, from the props and later `add*` calls. */
export interface Additions {
  readonly assets: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** Checks other components add to the derived plan, e.g. the Kubernetes pod's. */
  readonly checks?: Partial<CheckPlan>;
}

/** The props' scalar fields, validated, with every default applied. */
export type ResolvedProps = Pick<ResolvedContainer,
  'imageName' | 'port' | 'workers' | 'user' | 'uid' | 'gid' | 'healthPath' | 'livenessPath' | 'metricsPath' | 'sizeBudgetMb' | 'shutdownTimeoutMs' | 'database' | 'migrateCommand' | 'runtime' | 'engineHelp' | 'platforms'>
  & { readonly nodeImage?: string; readonly runtimeImage: string; readonly sourceUrl?: string };

/** The major of the project's `minNodeVersion`, or {@link DEFAULT_NODE_MAJOR} when it declares none. Pure. */
export function resolveNodeMajor(minNodeVersion: string | undefined): number {
  if (minNodeVersion === undefined) return DEFAULT_NODE_MAJOR;
  const major = Number.parseInt(minNodeVersion, 10);
  if (!Number.isInteger(major) || major < 1) fail(IMAGE, 'minNodeVersion', 'must start with the Node major the image runs', minNodeVersion);
  return major;
}

/** Validates the props and applies each default once. Throws naming the field and the value. Pure. */
export function resolveProps(props: ContainerImageProps): ResolvedProps {
  const rule = <T>(field: string, schema: z.ZodType<T>, value: unknown): T => check(IMAGE, field, schema, value);
  const optional = <T>(field: string, schema: z.ZodType<T>, value: unknown): T | undefined =>
    value === undefined ? undefined : rule(field, schema, value);
  const uid = rule('uid', id, props.uid ?? DEFAULT_UID);
  if (props.migrateCommand && !props.database) fail(IMAGE, 'migrateCommand', 'migrates a database: declare it in `database`', props.migrateCommand);
  const paths = {
    healthPath: rule('healthPath', urlPath, props.healthPath),
    livenessPath: optional('livenessPath', urlPath, props.livenessPath),
    metricsPath: optional('metricsPath', urlPath, props.metricsPath),
  };
  checkDistinctPaths(paths);
  return {
    imageName: rule('imageName', imageName, props.imageName),
    port: rule('port', port, props.port),
    workers: rule('workers', workers, props.workers ?? DEFAULT_WORKERS),
    user: rule('user', loginName, props.user ?? DEFAULT_USER),
    uid,
    gid: rule('gid', id, props.gid ?? uid),
    ...paths,
    sizeBudgetMb: rule('sizeBudgetMb', sizeBudgetMb, props.sizeBudgetMb),
    shutdownTimeoutMs: rule('shutdownTimeoutMs', shutdownTimeoutMs, props.shutdownTimeoutMs),
    database: props.database && { engine: rule('database.engine', oneOf(DATABASE_ENGINES), props.database.engine) },
    migrateCommand: optional('migrateCommand', command, props.migrateCommand),
    runtime: rule('runtime', oneOf(RUNTIME_KINDS), props.runtime ?? DEFAULT_RUNTIME),
    nodeImage: optional('nodeImage', imageTag, props.nodeImage),
    runtimeImage: rule('runtimeImage', imageTag, props.runtimeImage ?? DEFAULT_RUNTIME_IMAGE),
    sourceUrl: props.sourceUrl,
    engineHelp: rule('engineHelp', oneLine, props.engineHelp ?? DEFAULT_ENGINE_HELP),
    platforms: rule('platforms', platforms, props.platforms ?? DEFAULT_PLATFORMS),
  };
}

/** Each declared path routes one endpoint: readiness, liveness and metrics answer different questions. */
function checkDistinctPaths(paths: Readonly<Record<string, string | undefined>>): void {
  const declared = Object.entries(paths).filter(([, path]) => path !== undefined);
  for (const [i, [field, path]] of declared.entries()) {
    const clash = declared.slice(0, i).find(([, other]) => other === path);
    if (clash) fail(IMAGE, field, `must differ from ${clash[0]}`, path);
  }
}

/**
 * Joins the resolved props with the project's facts and the base-image lock,
 * and derives everything else, the check plan included. Pure.
 */
export function resolveContainer(p: ResolvedProps, facts: ProjectFacts, added: Additions, lock?: BaseImageLock): ResolvedContainer {
  const sourceUrl = p.sourceUrl ?? facts.repositoryUrl;
  const nodeImage = p.nodeImage ?? nodeImageOf(facts.nodeMajor);
  const runtimeTag = p.runtime === 'node' ? nodeImage : p.runtimeImage;
  const runtimeDigest = lock?.images[runtimeTag];
  const withoutChecks: Omit<ResolvedContainer, 'checks'> = {
    imageName: p.imageName,
    version: DEV_VERSION,
    title: facts.name,
    ...(sourceUrl ? { sourceUrl } : {}),
    user: p.user,
    uid: p.uid,
    gid: p.gid,
    port: p.port,
    workers: p.workers,
    healthPath: p.healthPath,
    ...(p.livenessPath ? { livenessPath: p.livenessPath } : {}),
    ...(p.metricsPath ? { metricsPath: p.metricsPath } : {}),
    sizeBudgetMb: p.sizeBudgetMb,
    shutdownTimeoutMs: p.shutdownTimeoutMs,
    workdir: WORKDIR,
    entrypoint: facts.entrypoint,
    cmd: ['node', facts.entrypoint],
    ...(p.database ? { database: p.database } : {}),
    ...(p.migrateCommand ? { migrateCommand: p.migrateCommand } : {}),
    srcdir: facts.srcdir,
    libdir: facts.libdir,
    tsconfigFile: facts.tsconfigFile,
    packageManager: facts.packageManager,
    buildOnlyPaths: facts.buildOnlyPaths,
    assets: added.assets,
    bundle: appBundle({ ...facts, assets: added.assets, ...(p.migrateCommand ? { migrateCommand: p.migrateCommand } : {}) }),
    env: { NODE_ENV: 'production', PORT: String(p.port), WEB_CONCURRENCY: String(p.workers), ...added.env },
    labels: {
      [`${OCI}.title`]: facts.name,
      [`${OCI}.version`]: '${VERSION}',
      ...(sourceUrl ? { [`${OCI}.source`]: sourceUrl } : {}),
      [`${OCI}.revision`]: '${REVISION}',
      [`${OCI}.created`]: '${CREATED}',
      ...(runtimeDigest ? { [`${OCI}.base.name`]: runtimeTag, [`${OCI}.base.digest`]: runtimeDigest } : {}),
      ...added.labels,
    },
    devDependencies: facts.devDependencies,
    baseImages: { build: lockedRef(nodeImage, lock), runtime: lockedRef(runtimeTag, lock) },
    runtime: p.runtime,
    engineHelp: p.engineHelp,
    nodeMajor: facts.nodeMajor,
    platforms: p.platforms,
    debianPackages: p.runtime === 'minimal' ? minimalPackages(p.platforms, lock) : [],
    healthcheck: HEALTH_TIMING,
    hardened: HARDENED_PROFILE,
    // The app promises to be done draining by its shutdown timeout; an idle one is done at once.
    stopLimitMs: p.shutdownTimeoutMs + STOP_SLACK_MS,
  };
  return { ...withoutChecks, checks: withAddedChecks(deriveChecks(withoutChecks), added.checks ?? {}) };
}

/** The minimal runtime's packages, shipped ones first, each with what the lock says of it on each platform. */
function minimalPackages(targets: readonly string[], lock: BaseImageLock | undefined): DebianPackage[] {
  const entry = (name: string, ships: boolean): DebianPackage => ({
    name,
    ships,
    locked: Object.fromEntries(targets.flatMap((p) => {
      const locked = lock?.packages?.[p]?.[name];
      return locked ? [[p, locked]] : [];
    })),
  });
  return [...MINIMAL_PACKAGES.ships.map((n) => entry(n, true)), ...MINIMAL_PACKAGES.tools.map((n) => entry(n, false))];
}

/** The derived plan with the added entries at the end of their categories; names stay unique. */
function withAddedChecks(plan: CheckPlan, added: Partial<CheckPlan>): CheckPlan {
  const merged: CheckPlan = {
    commands: [...plan.commands, ...added.commands ?? []],
    fileExistence: [...plan.fileExistence, ...added.fileExistence ?? []],
    metadata: [...plan.metadata, ...added.metadata ?? []],
    runtime: [...plan.runtime, ...added.runtime ?? []],
  };
  const names = CHECK_CATEGORIES.flatMap((c) => merged[c].map((entry: { name: string }) => entry.name));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) fail(IMAGE, 'checks', 'names must be unique across the plan', twice);
  return merged;
}
