import { OCI } from './container-image-props';
import type { ContainerSpec } from './container-spec';
import type { DockerInstruction, DockerfileModel } from './dockerfile-model';

/** Every value the Dockerfile and its companions are rendered from, validated. */
export interface ImageRecipe {
  readonly imageName: string;
  readonly title: string;
  readonly version: string;
  readonly sourceUrl?: string;
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  readonly port: number;
  readonly workers: number;
  readonly healthPath: string;
  readonly sizeBudgetMb: number;
  readonly srcdir: string;
  readonly libdir: string;
  readonly tsconfigFile: string;
  readonly lockFile: string;
  readonly entrypoint: string;
  readonly assets: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** Full reference, digest included. */
  readonly nodeImage: string;
  /** Full reference; unused when `keepNpm`. */
  readonly runtimeImage: string;
  readonly keepNpm: boolean;
  readonly syntax?: string;
  readonly copyLink: boolean;
  readonly devDependencies: readonly string[];
}

export const WORKDIR = '/app';
export const NPM_CACHE = '/root/.npm';
export const HEALTHCHECK = { intervalS: 30, timeoutS: 5, startPeriodS: 10, retries: 3 } as const;

/** Build args the `docker:build` task and CI fill in; the defaults keep a bare `docker build` reproducible. */
export const BUILD_ARGS = { REVISION: 'unknown', CREATED: '1970-01-01T00:00:00Z' } as const;

export function runtimeEnv(r: ImageRecipe): Record<string, string> {
  return { NODE_ENV: 'production', PORT: String(r.port), WEB_CONCURRENCY: String(r.workers), ...r.env };
}

export function imageLabels(r: ImageRecipe): Record<string, string> {
  return {
    [`${OCI}.title`]: r.title,
    [`${OCI}.version`]: r.version,
    ...(r.sourceUrl ? { [`${OCI}.source`]: r.sourceUrl } : {}),
    [`${OCI}.revision`]: '${REVISION}',
    [`${OCI}.created`]: '${CREATED}',
    ...r.labels,
  };
}

export function healthcheckArgv(r: ImageRecipe): string[] {
  // No curl in node images: node's own fetch, with PORT read at run time so
  // `-e PORT=...` keeps the probe pointed at the app.
  const script = `fetch('http://127.0.0.1:'+(process.env.PORT||${r.port})+'${r.healthPath}')`
    + '.then(r=>process.exit(r.ok?0:1),()=>process.exit(1))';
  return ['node', '-e', script];
}

export function cmdArgv(r: ImageRecipe): string[] {
  return ['node', r.entrypoint];
}

const npmCache = [{ type: 'cache' as const, target: NPM_CACHE }];

/** The Dockerfile as data: three stages, only the last one ships. */
export function dockerfileModel(r: ImageRecipe): DockerfileModel {
  const manifests = ['package.json', r.lockFile];
  const link = r.copyLink || undefined;
  const runtimeFrom = r.keepNpm ? r.nodeImage : r.runtimeImage;
  const copyNode: DockerInstruction[] = r.keepNpm ? [] : [{
    kind: 'COPY',
    from: 'build',
    sources: ['/usr/local/bin/node'],
    dest: '/usr/local/bin/node',
    link,
    comment: 'docker-node\'s recipe for images without npm: node is one static-enough binary (libstdc++ comes with the base).',
  }];
  return {
    syntax: r.syntax,
    stages: [
      {
        name: 'build',
        from: r.nodeImage,
        comment: 'Compiles TypeScript. NODE_ENV stays unset: npm ci must install the devDependencies tsc needs.',
        instructions: [
          { kind: 'WORKDIR', path: WORKDIR },
          { kind: 'COPY', sources: manifests, dest: './', comment: 'Manifests first: a source edit reuses the installed node_modules layer.' },
          { kind: 'RUN', mounts: npmCache, command: 'npm ci --no-audit --no-fund' },
          { kind: 'COPY', sources: [r.tsconfigFile], dest: './' },
          { kind: 'COPY', sources: [r.srcdir], dest: `./${r.srcdir}` },
          {
            kind: 'RUN',
            command: `node_modules/.bin/tsc --project ${r.tsconfigFile} --noCheck --noResolve`,
            comment: 'The compiler itself, not projen: the projen config never enters the image. Emit only: the project\'s\n'
              + 'build type-checks with isolatedModules, so each file\'s output stands alone, and loading every\n'
              + 'dependency\'s declarations again would be most of a rebuild after a source edit.',
          },
        ],
      },
      {
        name: 'deps',
        from: r.nodeImage,
        comment: 'Production node_modules. A stage of its own rather than `npm prune`: it does not depend on the\n'
          + 'sources, so a code edit never reinstalls, and BuildKit runs it in parallel with the build.',
        instructions: [
          { kind: 'WORKDIR', path: WORKDIR },
          { kind: 'COPY', sources: manifests, dest: './' },
          {
            kind: 'RUN',
            mounts: npmCache,
            command: 'npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund',
            comment: 'npm keeps "devOptional" packages under --omit=dev alone: a devDependency that is also an optional peer\n'
              + '(e.g. @types/pg for node-pg-migrate) would ship. No dependency needs an install script; skipping them\n'
              + 'keeps a compromised package from running code here.',
          },
        ],
      },
      {
        name: 'files',
        from: r.nodeImage,
        comment: 'The runtime files taken from the context, with group/world write bits dropped: COPY keeps the\n'
          + 'modes of the checkout, and a umask of 002 there must not make the app writable in the image.',
        instructions: [
          { kind: 'WORKDIR', path: WORKDIR },
          { kind: 'COPY', sources: ['package.json'], dest: './' },
          ...r.assets.map((a): DockerInstruction => ({ kind: 'COPY', sources: [a], dest: `./${a}` })),
          { kind: 'RUN', command: 'chmod -R go-w .' },
        ],
      },
      {
        name: 'runtime',
        from: runtimeFrom,
        comment: 'What ships: node, production node_modules, compiled code and the declared assets, owned by root\n'
          + 'and read-only for the app user, which holds no home and no shell.',
        instructions: [
          {
            kind: 'RUN',
            command: `groupadd --system --gid ${r.gid} ${r.user} && useradd --system --no-log-init --uid ${r.uid} --gid ${r.gid} --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin ${r.user}`,
          },
          ...copyNode,
          { kind: 'WORKDIR', path: WORKDIR },
          { kind: 'COPY', from: 'deps', sources: [`${WORKDIR}/node_modules`], dest: './node_modules', link },
          { kind: 'COPY', from: 'files', sources: [`${WORKDIR}/`], dest: './', link },
          { kind: 'COPY', from: 'build', sources: [`${WORKDIR}/${r.libdir}`], dest: `./${r.libdir}`, link },
          { kind: 'ENV', vars: runtimeEnv(r) },
          { kind: 'EXPOSE', port: r.port },
          { kind: 'USER', user: `${r.uid}:${r.gid}`, comment: `Numeric (= ${r.user}), so runAsNonRoot policies can verify it without reading /etc/passwd.` },
          { kind: 'HEALTHCHECK', ...HEALTHCHECK, argv: healthcheckArgv(r) },
          { kind: 'CMD', argv: cmdArgv(r), comment: 'node as PID 1, no npm or shell in between: SIGTERM reaches the app.' },
          {
            kind: 'ARG',
            name: 'REVISION',
            default: BUILD_ARGS.REVISION,
            comment: 'Last, so a new commit only changes the metadata, never a cached layer.',
          },
          { kind: 'ARG', name: 'CREATED', default: BUILD_ARGS.CREATED },
          { kind: 'LABEL', labels: imageLabels(r) },
        ],
      },
    ],
  };
}

/** Paths relative to the workdir that must not exist in the image. */
export function forbiddenPaths(r: Pick<ImageRecipe, 'srcdir' | 'tsconfigFile'>): string[] {
  return ['.git', '.env', '.projenrc.ts', 'projenrc', 'test', r.srcdir, r.tsconfigFile, 'node_modules/.cache', 'coverage'];
}

/** Absolute paths that must not exist in the image. */
export function forbiddenAbsolutePaths(r: ImageRecipe): string[] {
  return [NPM_CACHE, ...(r.keepNpm ? [] : ['/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/lib/node_modules/npm'])];
}

export function containerSpec(r: ImageRecipe): ContainerSpec {
  const model = dockerfileModel(r);
  const [build, runtime] = [model.stages[0].from, model.stages[model.stages.length - 1].from];
  return {
    imageName: r.imageName,
    version: r.version,
    user: r.user,
    uid: r.uid,
    gid: r.gid,
    port: r.port,
    healthPath: r.healthPath,
    workers: r.workers,
    sizeBudgetMb: r.sizeBudgetMb,
    workdir: WORKDIR,
    entrypoint: r.entrypoint,
    cmd: cmdArgv(r),
    assets: r.assets,
    devDependencies: r.devDependencies,
    baseImages: { build, runtime },
    npmInRuntime: r.keepNpm,
    env: runtimeEnv(r),
    labels: Object.keys(imageLabels(r)),
    healthcheck: HEALTHCHECK,
    forbiddenPaths: forbiddenPaths(r),
    forbiddenAbsolutePaths: forbiddenAbsolutePaths(r),
  };
}
