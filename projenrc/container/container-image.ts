import { existsSync } from 'fs';
import { join } from 'path';
import { Component, DependencyType, JsonFile, TaskShell } from 'projen';
import type { typescript } from 'projen';
import type { ContainerImageProps, ProjectFacts } from './container-image-props';
import {
  DEFAULT_NODE_IMAGE, DEFAULT_RUNTIME_IMAGE, DEFAULT_UID,
  checkAsset, checkBudget, checkEnv, checkHealthPath, checkImageName, checkInt, checkLabel, checkUser, fail, imageRef,
} from './container-image-props';
import type { ContainerSpec } from './container-spec';
import { CONTAINER_SPEC_PATH } from './container-spec';
import { baseImagesOf } from './dockerfile-model';
import { renderDockerfile } from './dockerfile-render';
import { renderDockerignore } from './dockerignore';
import type { DocsCommands } from './docs';
import { renderContainerDocs } from './docs';
import { GeneratedFile } from './generated-file';
import type { ImageRecipe } from './image-recipe';
import { containerSpec, dockerfileModel, forbiddenPaths } from './image-recipe';
import type { MakeTarget } from './makefile';
import { renderMakefile } from './makefile';
import { renderContainerWorkflow } from './workflow';

/** The projen tasks the component adds; the Makefile, docs and CI call them by these names. */
export const TASKS = {
  build: 'docker:build',
  run: 'docker:run',
  verify: 'docker:verify',
  offlineBase: 'docker:offline-base',
  engine: 'docker:engine',
  check: 'check',
} as const;

const BUILD_DEPENDENCY_TYPES = [DependencyType.BUILD, DependencyType.DEVENV, DependencyType.TEST];

/**
 * A production container image for a TypeScript app, declared once: the
 * Dockerfile, `.dockerignore`, Makefile, projen tasks, CI workflow, docs and
 * the resolved {@link ContainerSpec} for verification all render from it.
 */
export class ContainerImage extends Component {
  public readonly dockerfile: GeneratedFile;
  public readonly dockerignore: GeneratedFile;
  public readonly makefile: GeneratedFile;
  public readonly docs: GeneratedFile;
  public readonly workflow: GeneratedFile;
  public readonly specFile: JsonFile;

  private readonly props: ContainerImageProps;
  private readonly nodeImage: string;
  private readonly runtimeImage: string;
  private readonly uid: number;
  private readonly gid: number;
  private readonly assets: string[] = [];
  private readonly env: Record<string, string> = {};
  private readonly labels: Record<string, string> = {};

  constructor(public readonly project: typescript.TypeScriptProject, props: ContainerImageProps) {
    super(project);
    checkImageName(props.imageName);
    checkInt('port', props.port, 1, 65535);
    checkInt('workers', props.workers ?? 1, 1, 1024);
    checkUser(props.user ?? 'app');
    this.uid = checkInt('uid', props.uid ?? DEFAULT_UID, 1, 2 ** 31 - 1);
    this.gid = checkInt('gid', props.gid ?? this.uid, 1, 2 ** 31 - 1);
    checkHealthPath(props.healthPath);
    checkBudget(props.sizeBudgetMb);
    this.nodeImage = imageRef('nodeImage', props.nodeImage ?? DEFAULT_NODE_IMAGE, props.nodeImageDigest);
    this.runtimeImage = imageRef('runtimeImage', props.runtimeImage ?? DEFAULT_RUNTIME_IMAGE, props.runtimeImageDigest);
    if (props.syntax !== undefined && !/^[\w./-]+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/.test(props.syntax)) {
      fail('syntax', 'must be a frontend image reference such as docker/dockerfile:1.7', props.syntax);
    }
    if (props.copyLink && !props.syntax) fail('copyLink', 'needs "syntax": the built-in frontend of Docker 20.10 has no COPY --link', props.copyLink);
    this.props = props;
    for (const asset of props.assets ?? []) this.addAsset(asset);
    for (const [k, v] of Object.entries(props.env ?? {})) this.addEnv(k, v);
    for (const [k, v] of Object.entries(props.labels ?? {})) this.addLabel(k, v);

    // The image emits without type-checking; isolatedModules makes the project's own type-check
    // guarantee that per-file emit equals a full compile.
    project.tsconfig?.file.addOverride('compilerOptions.isolatedModules', true);

    this.addTasks();

    this.dockerfile = new GeneratedFile(project, 'Dockerfile', {
      render: (marker) => renderDockerfile(dockerfileModel(this.recipe), marker),
    });
    this.dockerignore = new GeneratedFile(project, '.dockerignore', {
      render: (marker) => renderDockerignore(this.recipe, marker),
    });
    this.makefile = new GeneratedFile(project, 'Makefile', {
      render: (marker) => renderMakefile(this.makeTargets(), marker),
    });
    this.docs = new GeneratedFile(project, 'docs/container.md', {
      render: (marker) => renderContainerDocs(this.spec, dockerfileModel(this.recipe), this.makeTargets(), this.docsCommands(), marker),
    });
    this.workflow = new GeneratedFile(project, '.github/workflows/container.yml', {
      render: (marker) => renderContainerWorkflow({
        nodeVersion: /:(\d+)/.exec(this.nodeImage)?.[1] ?? 'lts/*',
        branch: props.publishBranch ?? 'main',
        verifyTask: TASKS.verify,
      }, marker),
    });
    this.specFile = new JsonFile(project, CONTAINER_SPEC_PATH, { obj: () => this.spec });
  }

  /** Copies a project file or folder into the image's workdir, under the same path. */
  public addAsset(path: string): this {
    const facts = this.facts();
    const reserved = ['package.json', facts.lockFile, facts.libdir, 'node_modules', ...forbiddenPaths(facts)];
    const asset = checkAsset(path, [...new Set(reserved.map((p) => p.split('/')[0]))]);
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

  /** Everything the files render from, resolved now: later `add*` calls and deps are included. */
  public get recipe(): ImageRecipe {
    const p = this.props;
    return {
      ...this.facts(),
      imageName: p.imageName,
      title: this.project.name,
      sourceUrl: p.sourceUrl ?? this.facts().repositoryUrl,
      user: p.user ?? 'app',
      uid: this.uid,
      gid: this.gid,
      port: p.port,
      workers: p.workers ?? 1,
      healthPath: p.healthPath,
      sizeBudgetMb: p.sizeBudgetMb,
      assets: [...this.assets],
      env: { ...this.env },
      labels: { ...this.labels },
      nodeImage: this.nodeImage,
      runtimeImage: this.runtimeImage,
      keepNpm: p.keepNpm ?? false,
      syntax: p.syntax,
      copyLink: p.copyLink ?? false,
    };
  }

  /** The resolved contract `docker:verify` checks, also written to `.projen/container.json`. */
  public get spec(): ContainerSpec {
    return containerSpec(this.recipe);
  }

  private facts(): ProjectFacts {
    const pkg = this.project.package;
    const repository: unknown = pkg.manifest.repository;
    return {
      name: this.project.name,
      version: pkg.manifest.version,
      srcdir: this.project.srcdir,
      libdir: this.project.libdir,
      tsconfigFile: this.project.tsconfig?.fileName ?? 'tsconfig.json',
      lockFile: pkg.lockFile,
      entrypoint: pkg.entrypoint,
      repositoryUrl: typeof repository === 'string' ? repository : (repository as { url?: string } | undefined)?.url,
      devDependencies: [...new Set(this.project.deps.all
        .filter((d) => BUILD_DEPENDENCY_TYPES.includes(d.type))
        .map((d) => d.name))].sort(),
    };
  }

  private addTasks(): void {
    const tag = (t: string) => `${this.props.imageName}:${t}`;
    const version: string = this.project.package.manifest.version;
    this.project.addTask(TASKS.build, {
      description: 'Build the image with BuildKit (DOCKER picks the client, DOCKER_BUILD_FLAGS adds flags)',
      env: { DOCKER_BUILDKIT: '1' },
      // POSIX parameter expansion (`${DOCKER:-docker}`) is beyond projen's built-in shell.
      shell: TaskShell.sh(),
      exec: [
        '${DOCKER:-docker} build ${DOCKER_BUILD_FLAGS:-}',
        '--build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"',
        '--build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
        `--tag ${tag(version)} --tag ${tag('latest')} .`,
      ].join(' '),
    });
    this.project.addTask(TASKS.run, {
      description: `Run the image (DOCKER_RUN_FLAGS replaces -p ${this.props.port}:${this.props.port}; DATABASE_URL passes through)`,
      shell: TaskShell.sh(),
      exec: `\${DOCKER:-docker} run --rm \${DOCKER_RUN_FLAGS:--p ${this.props.port}:${this.props.port}} -e DATABASE_URL ${tag(version)}`,
    });
    this.project.addTask(TASKS.verify, {
      description: 'Build the image and verify it against .projen/container.json (--image skips the build)',
      // tsc and eslint type-check projenrc/ in the build; checking again here only delays every run.
      exec: 'ts-node --transpile-only --project projenrc/tsconfig.json projenrc/verify/cli.ts',
      receiveArgs: true,
    });
    this.project.addTask(TASKS.offlineBase, {
      description: 'Build local stand-ins for the base images when no registry is reachable',
      exec: `bash tools/offline-base.sh ${baseImagesOf(dockerfileModel(this.recipe)).join(' ')}`,
    });
    this.project.addTask(TASKS.engine, {
      description: 'Start a local Docker engine (air-gapped machines)',
      exec: 'bash tools/docker-engine.sh',
    });
    this.project.addTask(TASKS.check, {
      description: 'Everything CI checks except the image: drift, compile, lint, tests',
      steps: [
        { spawn: 'default' },
        { name: 'drift', exec: 'git diff --exit-code' },
        { spawn: 'compile' },
        { spawn: 'test' },
      ],
    });
  }

  private makeTargets(): MakeTarget[] {
    const targets: [string, string][] = [
      ['check', TASKS.check],
      ['synth', 'default'],
      ['docker-build', TASKS.build],
      ['docker-verify', TASKS.verify],
      ['docker-run', TASKS.run],
    ];
    return targets.map(([target, task]) => ({
      target,
      task,
      description: this.project.tasks.tryFind(task)?.description ?? fail('makefile', 'targets must name an existing task', task),
    }));
  }

  private docsCommands(): DocsCommands {
    const run = (task: string) => `npx projen ${task}`;
    return {
      build: run(TASKS.build),
      run: run(TASKS.run),
      verify: run(TASKS.verify),
      engine: run(TASKS.engine),
      offlineBase: run(TASKS.offlineBase),
    };
  }
}
