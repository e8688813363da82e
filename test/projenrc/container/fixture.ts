import { mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing, javascript, typescript } from 'projen';
import type { ContainerImageProps, ResolvedContainer } from '../../../packages/projen-container/src';
import { ContainerDocs, ContainerImage, ContainerWorkflow } from '../../../packages/projen-container/src';
import { APP_CONFIG_FACTS } from '../../../packages/projen-container/src/container/app-config';
import { DEFAULT_APP_CONFIG_PATH } from '../../../packages/projen-container/src/container/container-image-props';
import type { Additions, ProjectFacts } from '../../../packages/projen-container/src/container/resolve';
import { resolveContainer, resolveProps } from '../../../packages/projen-container/src/container/resolve';

// project.synth() would otherwise run npm install in the temp projects.
process.env.PROJEN_DISABLE_POST = 'true';

/** This repository's app config values, as .projenrc.ts declares them: its committed defaults without the image's facts. */
export const APP_CONFIG_VALUES: Record<string, unknown> = (() => {
  const { '//': _marker, ...config } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', DEFAULT_APP_CONFIG_PATH), 'utf8'));
  return Object.fromEntries(Object.entries(config).filter(([k]) => !(APP_CONFIG_FACTS as readonly string[]).includes(k)));
})();

export const BASE_PROPS: ContainerImageProps = {
  imageName: 'demo',
  port: 8000,
  workers: 2,
  healthPath: '/health',
  livenessPath: '/health/live',
  metricsPath: '/metrics',
  sizeBudgetMb: 500,
  shutdownTimeoutMs: 3000,
  assets: ['config', 'prompts'],
  database: { engine: 'postgres' },
  migrateCommand: ['node', 'scripts/migrate.js', 'up'],
};

/** A fresh TypeScript app in a temp dir with the given folders created (ContainerImage checks assets exist). */
export function testProject(
  folders: readonly string[] = ['config', 'prompts'],
  outdir = mkdtempSync(join(tmpdir(), 'container-image-')),
  packageManager = javascript.NodePackageManager.NPM,
): typescript.TypeScriptAppProject {
  for (const folder of folders) mkdirSync(join(outdir, folder), { recursive: true });
  return new typescript.TypeScriptAppProject({
    name: 'demo-api',
    defaultReleaseBranch: 'main',
    outdir,
    projenrcTs: true,
    packageManager,
    entrypoint: 'lib/index.js',
    minNodeVersion: '24.0.0',
    devDeps: ['dockerode@^4'],
  });
}

export const CONTAINER_FILES = [
  'Dockerfile',
  '.dockerignore',
  '.github/workflows/container.yml',
  'docs/container.md',
  '.projen/container.json',
] as const;

/** The image with its docs and workflow; synthesizes (Testing.synth deletes the outdir afterwards). */
export function synthContainer(props: Partial<ContainerImageProps> = {}, folders?: readonly string[]) {
  const project = testProject(folders);
  const image = new ContainerImage(project, { ...BASE_PROPS, ...props });
  new ContainerDocs(image);
  new ContainerWorkflow(image);
  const out = Testing.synth(project);
  return {
    project,
    image,
    out,
    spec: out['.projen/container.json'] as ResolvedContainer,
    files: Object.fromEntries(CONTAINER_FILES.map((f) => [f, out[f]])),
  };
}

export const FACTS: ProjectFacts = {
  name: 'demo-api',
  srcdir: 'src',
  libdir: 'lib',
  tsconfigFile: 'tsconfig.json',
  packageManager: { name: 'npm', lockFile: 'package-lock.json', install: 'npm ci' },
  buildOnlyPaths: ['test', '.projenrc.ts', 'projenrc', 'coverage'],
  entrypoint: 'lib/index.js',
  devDependencies: { typescript: ['tsc', 'tsserver'], jest: ['jest'], constructs: [] },
  nodeMajor: 24,
};

/** A resolved declaration for the pure renderers, without a project. */
export function resolved(props: Partial<ContainerImageProps> = {}, added: Partial<Additions> = {}): ResolvedContainer {
  const p = { ...BASE_PROPS, ...props };
  return resolveContainer(resolveProps(p), FACTS, { assets: p.assets ?? [], env: {}, labels: {}, ...added });
}
