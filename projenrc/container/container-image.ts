import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { Component, DependencyType, IgnoreFile, JsonFile, TaskShell } from 'projen';
import type { typescript } from 'projen';
import { BASE_IMAGE_PIN, LOCK_PATH, readLock } from './base-image-lock';
import type { CheckCategory, CheckPlan } from './check-plan';
import type { ContainerImageProps } from './container-image-props';
import { DEV_VERSION } from './container-image-props';
import { contextPaths, dockerfileModel } from './dockerfile';
import { renderDockerfile } from './dockerfile-render';
import type { ProjectFacts, ResolvedProps } from './resolve';
import { resolveContainer, resolveProps } from './resolve';
import type { ResolvedContainer } from './resolved-container';
import { CONTAINER_SPEC_PATH } from './resolved-container';
import { checkAsset, checkEnv, checkLabel, fail } from './validation';
import { GeneratedFile } from '../generated-file';
import { Renovate } from '../renovate';

/** The projen tasks the component adds; the Makefile, docs and workflow call them by these names. */
export const IMAGE_TASKS = {
  lock: 'docker:lock',
  build: 'docker:build',
  run: 'docker:run',
  verify: 'docker:verify',
  publish: 'docker:publish',
} as const;

/** How the tasks run our TypeScript tools: type-checking is the build's job, not every run's. */
const TS_TOOL = 'ts-node --transpile-only --project projenrc/tsconfig.json';

/** Denied even inside admitted folders: secrets, local installs, and tests tsc would otherwise emit. */
export const DOCKERIGNORE_DENY = [
  '**/.env',
  '**/.env.*',
  '**/*.pem',
  '**/*.key',
  '**/id_rsa*',
  '**/node_modules',
  '**/*.test.ts',
  '**/*.spec.ts',
] as const;

const BUILD_DEPENDENCY_TYPES = [DependencyType.BUILD, DependencyType.DEVENV, DependencyType.TEST];

/**
 * A production container image for a TypeScript app: the Dockerfile, its
 * `.dockerignore`, the resolved declaration with its check plan
 * (`.projen/container.json`), and the tasks to build, run and verify it.
 */
export class ContainerImage extends Component {
  public readonly dockerfile: GeneratedFile;
  public readonly dockerignore: IgnoreFile;
  public readonly specFile: JsonFile;

  private readonly props: ResolvedProps;
  private readonly assets: string[] = [];
  private readonly env: Record<string, string> = {};
  private readonly labels: Record<string, string> = {};
  private readonly checks: { [C in CheckCategory]: CheckPlan[C][number][] } = { commands: [], fileExistence: [], metadata: [], runtime: [] };

  constructor(public readonly project: typescript.TypeScriptProject, props: ContainerImageProps) {
    super(project);
    this.props = resolveProps(props);
    for (const asset of props.assets ?? []) this.addAsset(asset);
    for (const [k, v] of Object.entries(props.env ?? {})) this.addEnv(k, v);
    for (const [k, v] of Object.entries(props.labels ?? {})) this.addLabel(k, v);

    this.dockerfile = new GeneratedFile(project, 'Dockerfile', {
      render: (marker) => renderDockerfile(dockerfileModel(this.resolved), marker),
    });
    this.dockerignore = new IgnoreFile(project, '.dockerignore', { filterCommentLines: false });
    this.specFile = new JsonFile(project, CONTAINER_SPEC_PATH, { obj: () => this.resolved });
    this.addTasks();
  }

  /** Copies a project file or folder into the image's workdir, under the same path. */
  public addAsset(path: string): this {
    const facts = this.facts();
    const reserved = ['package.json', facts.lockFile, facts.libdir, facts.srcdir, facts.tsconfigFile, 'node_modules',
      'test', 'projenrc', '.projenrc.ts', 'coverage', '.git', '.env'];
    const asset = checkAsset(path, reserved);
    if (!existsSync(join(this.project.outdir, asset))) fail('assets', 'entries must exist in the project', path);
    if (this.assets.includes(asset)) fail('assets', 'entries must be unique', path);
    this.assets.push(asset);
    return this;
  }

  /** Sets a runtime environment variable (never a secret: those are passed at run time). */
  public addEnv(key: string, value: string): this {
    this.env[checkEnv(key)] = value;
    return this;
  }

  /** Adds an image label next to the derived OCI ones. */
  public addLabel(key: string, value: string): this {
    this.labels[checkLabel(key)] = value;
    return this;
  }

  /** Adds an entry to a category of the check plan: verify runs it and the docs list it. */
  public addCheck<C extends CheckCategory>(category: C, check: CheckPlan[C][number]): this {
    (this.checks[category] as CheckPlan[C][number][]).push(check);
    return this;
  }

  /** The whole resolved declaration; later `add*` calls and dependencies are included. */
  public get resolved(): ResolvedContainer {
    const added = { assets: [...this.assets], env: { ...this.env }, labels: { ...this.labels }, checks: this.checks };
    return resolveContainer(this.props, this.facts(), added, readLock(join(this.project.outdir, LOCK_PATH)));
  }

  public preSynthesize(): void {
    Renovate.of(this.project)?.addPins(BASE_IMAGE_PIN);
    // Filled late so assets added after construction are admitted too.
    this.dockerignore.addPatterns(
      '# Allow-list: deny everything, then admit exactly what the Dockerfile copies.',
      '**',
      ...contextPaths(this.resolved).map((p) => `!${p}`),
      '# Deny again inside the admitted folders.',
      ...DOCKERIGNORE_DENY,
    );
  }

  private facts(): ProjectFacts {
    const pkg = this.project.package;
    const repository: unknown = pkg.manifest.repository;
    const production = this.productionPackages(pkg.lockFile);
    const devDependencies = [...new Set(this.project.deps.all
      .filter((d) => BUILD_DEPENDENCY_TYPES.includes(d.type) && !production.has(d.name))
      .map((d) => d.name))].sort();
    return {
      name: this.project.name,
      srcdir: this.project.srcdir,
      libdir: this.project.libdir,
      tsconfigFile: this.project.tsconfig?.fileName ?? 'tsconfig.json',
      lockFile: pkg.lockFile,
      entrypoint: pkg.entrypoint,
      repositoryUrl: typeof repository === 'string' ? repository
        : (repository as { url?: string } | undefined)?.url,
      devDependencies: Object.fromEntries(devDependencies.map((d) => [d, this.binariesOf(d)])),
      nodeMajor: this.nodeMajor(),
    };
  }

  /** The major of the project's minNodeVersion: the image runs the Node the tests run on. */
  private nodeMajor(): number {
    const min = this.project.minNodeVersion;
    const major = min ? Number.parseInt(min, 10) : NaN;
    if (!Number.isInteger(major) || major < 1) fail('minNodeVersion', 'the project must declare it (the image\'s Node major derives from it)', String(min));
    return major;
  }

  /**
   * Packages the production install keeps, from npm's lockfile: a
   * devDependency that a dependency also needs (fastify's ajv, say) is
   * rightly in the image. Without a lockfile, none.
   */
  private productionPackages(lockFile: string): Set<string> {
    const path = join(this.project.outdir, lockFile);
    if (!existsSync(path)) return new Set();
    const packages: Record<string, { dev?: boolean; devOptional?: boolean }> = JSON.parse(readFileSync(path, 'utf8')).packages ?? {};
    return new Set(Object.entries(packages)
      .filter(([key, entry]) => key.startsWith('node_modules/') && !key.includes('/node_modules/', 1) && !entry.dev && !entry.devOptional)
      .map(([key]) => key.slice('node_modules/'.length)));
  }

  /** The executables a devDependency installs, from its installed manifest; none when it is not installed. */
  private binariesOf(dependency: string): string[] {
    const manifest = join(this.project.outdir, 'node_modules', dependency, 'package.json');
    if (!existsSync(manifest)) return [];
    const bin: unknown = JSON.parse(readFileSync(manifest, 'utf8')).bin;
    if (typeof bin === 'string') return [dependency.replace(/^@[^/]+\//, '')];
    return bin && typeof bin === 'object' ? Object.keys(bin).sort() : [];
  }

  private addTasks(): void {
    const { imageName, port } = this.props;
    // CI sets VERSION (a release's 1.2.3, main's 0.0.0-main.<sha>); otherwise a development build.
    const version = `\${VERSION:-${DEV_VERSION}}`;
    const tag = `${imageName}:${version}`;
    this.project.addTask(IMAGE_TASKS.lock, {
      description: `Pull each base image and pin its digest in ${LOCK_PATH}, then synthesize`,
      steps: [{ exec: `${TS_TOOL} projenrc/container/lock-cli.ts` }, { spawn: 'default' }],
    });
    this.project.addTask(IMAGE_TASKS.build, {
      description: 'Build the image with BuildKit (DOCKER picks the client, DOCKER_BUILD_FLAGS adds flags, VERSION the tag)',
      env: { DOCKER_BUILDKIT: '1' },
      // POSIX parameter expansion (`${DOCKER:-docker}`) is beyond projen's built-in shell.
      shell: TaskShell.sh(),
      steps: [
        { name: 'lock', exec: `${TS_TOOL} projenrc/container/lock-cli.ts --check` },
        {
          exec: [
            '${DOCKER:-docker} build ${DOCKER_BUILD_FLAGS:-}',
            '--build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"',
            '--build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
            `--build-arg VERSION="${version}"`,
            // `latest` too: the original's manual checks run `docker run --rm <imageName> whoami` verbatim.
            `--tag ${tag} --tag ${imageName}:latest .`,
          ].join(' '),
        },
      ],
    });
    this.project.addTask(IMAGE_TASKS.run, {
      description: `Run the image (DOCKER_RUN_FLAGS replaces -p ${port}:${port}; DATABASE_URL passes through)`,
      shell: TaskShell.sh(),
      exec: `\${DOCKER:-docker} run --rm \${DOCKER_RUN_FLAGS:--p ${port}:${port}} -e DATABASE_URL ${tag}`,
    });
    this.project.addTask(IMAGE_TASKS.verify, {
      description: `Build the image and verify it against ${CONTAINER_SPEC_PATH} (--image skips the build)`,
      exec: `${TS_TOOL} projenrc/verify/cli.ts`,
      receiveArgs: true,
    });
    this.project.addTask(IMAGE_TASKS.publish, {
      description: 'Push the verified image to REGISTRY under its version tag and print its digest',
      exec: `${TS_TOOL} projenrc/publish/cli.ts`,
      requiredEnv: ['REGISTRY'],
    });
  }
}
