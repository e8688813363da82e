import { existsSync, readFileSync } from 'fs';
import { join, posix } from 'path';
import { Component, DependencyType, IgnoreFile, JsonFile, ProjenrcFile, TaskShell, typescript } from 'projen';
import { checkAppConfigShipped, renderAppConfig } from './app-config';
import { BASE_IMAGE_PIN, LOCK_PATH, readLock } from './base-image-lock';
import { NOTICES_SCRIPT } from './bundle';
import type { CheckCategory, CheckPlan } from './check-plan';
import type { ContainerImageProps } from './container-image-props';
import { DATABASE_URL_ENV, DEFAULT_APP_CONFIG_PATH, DEV_VERSION } from './container-image-props';
import { deepFreeze } from './deep-freeze';
import { contextPaths, dockerfileModel } from './dockerfile';
import { renderDockerfile } from './dockerfile-render';
import { nativeAliasScript, platformTag } from './image-tags';
import { IMAGE_TASKS, PUBLISH_TOOL } from './image-tasks';
import type { PackageManager } from './package-manager';
import { resolvePackageManager } from './package-manager';
import { productionPackages } from './production-packages';
import type { ProjectFacts, ResolvedProps } from './resolve';
import { resolveContainer, resolveNodeMajor, resolveProps } from './resolve';
import type { ResolvedContainer } from './resolved-container';
import { CONTAINER_SPEC_PATH, specFileContent } from './resolved-container';
import { CREATED_EXPRESSION } from './source-date';
import { toolCommand } from './tool-command';
import { IMAGE, checkAsset, checkEnv, checkLabel, fail } from './validation';
import { GeneratedFile } from '../generated-file';
import { Renovate } from '../renovate';

export { IMAGE_TASKS };

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

/** The bundler the build stage runs; a devDependency, so it never ships. */
export const BUNDLER_DEPENDENCY = 'esbuild@^0.28';

/** The notices writer's source, beside this file; the project gets a generated copy the build stage runs. */
const NOTICES_SCRIPT_SOURCE = join(__dirname, 'third-party-notices.cjs');

/** The package's bundle of `publish/cli.ts` (scripts/bundle-publish.cjs writes it), from src/ or lib/ alike. */
const PUBLISH_TOOL_SOURCE = join(__dirname, '..', '..', 'tools', 'publish.cjs');

/**
 * A production container image for a TypeScript app: the Dockerfile, its
 * `.dockerignore`, the resolved declaration with its check plan
 * (`.projen/container.json`), and the tasks to build, run and verify it.
 */
export class ContainerImage extends Component {
  public readonly dockerfile: GeneratedFile;
  public readonly dockerignore: IgnoreFile;
  public readonly specFile: JsonFile;
  /** The app's config defaults, when `appConfig` is declared. */
  public readonly appConfigFile?: JsonFile;

  /** The props, validated with their defaults: readable at construction, unlike {@link resolved}. */
  public readonly declared: ResolvedProps;
  /** projen's package manager for the project: npm or pnpm, or the construct refuses it. */
  private readonly packageManager: PackageManager;
  private frozen?: ResolvedContainer;
  private readonly assets: string[] = [];
  private readonly env: Record<string, string> = {};
  private readonly labels: Record<string, string> = {};
  private readonly checks: { [C in CheckCategory]: CheckPlan[C][number][] } = { commands: [], fileExistence: [], metadata: [], runtime: [] };

  constructor(public readonly project: typescript.TypeScriptProject, props: ContainerImageProps) {
    super(project);
    this.declared = resolveProps(props);
    this.packageManager = resolvePackageManager(project.package, 'ContainerImage');
    project.addDevDeps(BUNDLER_DEPENDENCY);
    for (const asset of props.assets ?? []) this.addAsset(asset);
    for (const [k, v] of Object.entries(props.env ?? {})) this.addEnv(k, v);
    for (const [k, v] of Object.entries(props.labels ?? {})) this.addLabel(k, v);

    this.dockerfile = new GeneratedFile(project, 'Dockerfile', {
      render: (marker) => renderDockerfile(dockerfileModel(this.resolved), marker),
    });
    new GeneratedFile(project, NOTICES_SCRIPT, {
      readonly: true,
      render: (marker) => `${marker ? `// ${marker}\n` : ''}${readFileSync(NOTICES_SCRIPT_SOURCE, 'utf8')}`,
    });
    new GeneratedFile(project, PUBLISH_TOOL, {
      readonly: true,
      render: (marker) => `${marker ? `// ${marker}\n` : ''}${readFileSync(PUBLISH_TOOL_SOURCE, 'utf8')}`,
    });
    this.dockerignore = new IgnoreFile(project, '.dockerignore', { filterCommentLines: false });
    this.specFile = new JsonFile(project, CONTAINER_SPEC_PATH, { obj: () => specFileContent(this.resolved) });
    if (props.appConfig) {
      const path = props.appConfig.path ?? DEFAULT_APP_CONFIG_PATH;
      this.appConfigFile = new JsonFile(project, path, { obj: renderAppConfig(this.declared, props.appConfig.values) });
    }
    this.addTasks();
  }

  /** Copies a project file or folder into the image's workdir, under the same path. */
  public addAsset(path: string): this {
    this.refuseAfterResolve('assets', path);
    const asset = checkAsset(path, this.reservedPaths());
    if (!existsSync(join(this.project.outdir, asset))) fail(IMAGE, 'assets', 'entries must exist in the project', path);
    if (this.assets.includes(asset)) fail(IMAGE, 'assets', 'entries must be unique', path);
    this.assets.push(asset);
    return this;
  }

  /** Sets a runtime environment variable (never a secret: those are passed at run time). */
  public addEnv(key: string, value: string): this {
    this.refuseAfterResolve('env', key);
    this.env[checkEnv(key)] = value;
    return this;
  }

  /** Adds an image label next to the derived OCI ones. */
  public addLabel(key: string, value: string): this {
    this.refuseAfterResolve('labels', key);
    this.labels[checkLabel(key)] = value;
    return this;
  }

  /** Adds an entry to a category of the check plan: verify runs it and the docs list it. */
  public addCheck<C extends CheckCategory>(category: C, check: CheckPlan[C][number]): this {
    this.refuseAfterResolve('checks', check.name);
    (this.checks[category] as CheckPlan[C][number][]).push(check);
    return this;
  }

  /**
   * The whole resolved declaration, computed on first read (at synthesis:
   * every `add*` call and dependency before it counts) and frozen: the
   * lockfile, the manifests and the base-image lock are read once, and every
   * file, check and doc renders from the same object. `add*` after it throws.
   */
  public get resolved(): ResolvedContainer {
    if (!this.frozen) {
      const added = { assets: [...this.assets], env: { ...this.env }, labels: { ...this.labels }, checks: this.checks };
      // A copy: freezing must not reach into objects the caller passed to add*.
      this.frozen = deepFreeze(structuredClone(resolveContainer(this.declared, this.facts(), added, readLock(join(this.project.outdir, LOCK_PATH)))));
    }
    return this.frozen;
  }

  public preSynthesize(): void {
    if (this.appConfigFile) checkAppConfigShipped(this.appConfigFile.path, this.resolved.assets);
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

  /** After synthesis, when projen has written any sample code: a bundle source that is missing would fail only in `docker build`. */
  public postSynthesize(): void {
    for (const { source, output } of this.resolved.bundle.entries) {
      if (!existsSync(join(this.project.outdir, source))) fail(IMAGE, 'entrypoint', `is bundled from ${source}, which must exist in the project`, output);
    }
  }

  private refuseAfterResolve(field: string, added: string): void {
    if (this.frozen) fail(IMAGE, field, 'cannot change once the declaration is resolved (its first read, at synthesis at the latest): add to it before', added);
  }

  /** What must not be copied as an asset: the image builds or installs these itself, or they are not runtime files. */
  private reservedPaths(): string[] {
    return ['package.json', this.packageManager.lockFile, this.project.libdir, this.project.srcdir, this.project.tsconfig?.fileName ?? 'tsconfig.json', 'node_modules',
      ...this.buildOnlyPaths(), '.git', '.env'];
  }

  /** From projen's own components: the test folder, the projenrc file and its code folder, jest's coverage folder. */
  private buildOnlyPaths(): string[] {
    const projenrc = ProjenrcFile.of(this.project);
    const paths = [
      this.project.testdir,
      projenrc?.filePath,
      projenrc instanceof typescript.Projenrc ? posix.dirname(projenrc.tsconfig.fileName) : undefined,
      this.project.jest ? this.project.jest.config.coverageDirectory ?? 'coverage' : undefined,
    ];
    return [...new Set(paths.filter((p): p is string => !!p && p !== '.'))];
  }

  private facts(): ProjectFacts {
    const pkg = this.project.package;
    const repository: unknown = pkg.manifest.repository;
    const production = this.productionPackages();
    const devDependencies = [...new Set(this.project.deps.all
      .filter((d) => BUILD_DEPENDENCY_TYPES.includes(d.type) && !production.has(d.name))
      .map((d) => d.name))].sort();
    return {
      name: this.project.name,
      srcdir: this.project.srcdir,
      libdir: this.project.libdir,
      tsconfigFile: this.project.tsconfig?.fileName ?? 'tsconfig.json',
      packageManager: this.packageManager,
      buildOnlyPaths: this.buildOnlyPaths(),
      entrypoint: pkg.entrypoint,
      repositoryUrl: typeof repository === 'string' ? repository
        : (repository as { url?: string } | undefined)?.url,
      devDependencies: Object.fromEntries(devDependencies.map((d) => [d, this.binariesOf(d)])),
      nodeMajor: resolveNodeMajor(this.project.minNodeVersion),
    };
  }

  /**
   * Packages the production install keeps, from the lockfile. Without one
   * (before projen's first install writes it), none: docker:build refuses
   * to build without it.
   */
  private productionPackages(): Set<string> {
    const path = join(this.project.outdir, this.packageManager.lockFile);
    return existsSync(path) ? productionPackages(this.packageManager, readFileSync(path, 'utf8')) : new Set();
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
    const { imageName, port, platforms, database } = this.declared;
    const tool = (entry: string) => toolCommand(this.project.outdir, entry);
    // CI sets VERSION (a release's 1.2.3, main's 0.0.0-main.<sha>); otherwise a development build.
    const version = `\${VERSION:-${DEV_VERSION}}`;
    const tag = `${imageName}:${version}`;
    this.project.addTask(IMAGE_TASKS.lock, {
      description: `Pull each base image and pin its digest in ${LOCK_PATH}, then synthesize`,
      steps: [{ exec: tool('container/lock-cli') }, { spawn: 'default' }],
    });
    const docker = '${DOCKER:-docker}';
    this.project.addTask(IMAGE_TASKS.build, {
      description: 'Build the image for each platform with BuildKit (DOCKER picks the client, DOCKER_BUILD_FLAGS adds flags, VERSION the tag)',
      env: { DOCKER_BUILDKIT: '1' },
      // POSIX parameter expansion (`${DOCKER:-docker}`) is beyond projen's built-in shell.
      shell: TaskShell.sh(),
      steps: [
        { name: 'lock', exec: `${tool('container/lock-cli')} --check` },
        ...platforms.map((platform) => ({
          name: platform,
          exec: [
            `${docker} build \${DOCKER_BUILD_FLAGS:-} --platform ${platform}`,
            '--build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"',
            `--build-arg CREATED="${CREATED_EXPRESSION}"`,
            `--build-arg VERSION="${version}"`,
            `--tag ${platformTag(imageName, version, platform)} .`,
          ].join(' '),
        })),
        // So that `docker run --rm <imageName> whoami` runs the engine's own platform's image by its bare name.
        { name: 'native', exec: nativeAliasScript(docker, imageName, version, platforms) },
      ],
    });
    this.project.addTask(IMAGE_TASKS.run, {
      description: `Run the image (DOCKER_RUN_FLAGS replaces -p ${port}:${port}${database ? `; ${DATABASE_URL_ENV} passes through` : ''})`,
      shell: TaskShell.sh(),
      exec: `\${DOCKER:-docker} run --rm \${DOCKER_RUN_FLAGS:--p ${port}:${port}}${database ? ` -e ${DATABASE_URL_ENV}` : ''} ${tag}`,
    });
    this.project.addTask(IMAGE_TASKS.verify, {
      description: `Build the image and verify it against ${CONTAINER_SPEC_PATH} (--image skips the build)`,
      exec: tool('verify/cli'),
      receiveArgs: true,
    });
    this.project.addTask(IMAGE_TASKS.publish, {
      description: 'Push the verified image to REGISTRY under its version tag and print its digest',
      exec: `node ${PUBLISH_TOOL}`,
      requiredEnv: ['REGISTRY'],
    });
  }
}
