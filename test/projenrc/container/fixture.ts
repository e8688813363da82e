import { mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing, javascript, typescript } from 'projen';
import type { ContainerImageProps, ImageRecipe } from '../../../projenrc';
import { ContainerImage } from '../../../projenrc';

export const BASE_PROPS: ContainerImageProps = {
  imageName: 'demo',
  port: 8000,
  workers: 2,
  healthPath: '/health',
  sizeBudgetMb: 500,
  assets: ['config', 'prompts'],
};

/** A fresh TypeScript app in a temp dir with the given folders created (ContainerImage checks assets exist). */
export function testProject(
  folders: readonly string[] = ['config', 'prompts'],
  outdir = mkdtempSync(join(tmpdir(), 'container-image-')),
): typescript.TypeScriptAppProject {
  for (const folder of folders) mkdirSync(join(outdir, folder), { recursive: true });
  return new typescript.TypeScriptAppProject({
    name: 'demo-api',
    defaultReleaseBranch: 'main',
    outdir,
    projenrcTs: true,
    packageManager: javascript.NodePackageManager.NPM,
    entrypoint: 'lib/index.js',
    devDeps: ['dockerode@^4'],
  });
}

export const CONTAINER_FILES = [
  'Dockerfile',
  '.dockerignore',
  'Makefile',
  '.github/workflows/container.yml',
  'docs/container.md',
  '.projen/container.json',
] as const;

/** Synthesizes (Testing.synth deletes the outdir afterwards) and returns the container files. */
export function synthContainer(props: Partial<ContainerImageProps> = {}, folders?: readonly string[]) {
  const project = testProject(folders);
  const image = new ContainerImage(project, { ...BASE_PROPS, ...props });
  const out = Testing.synth(project);
  return { project, image, out, files: Object.fromEntries(CONTAINER_FILES.map((f) => [f, out[f]])) };
}

/** A resolved recipe for the pure renderers. */
export const RECIPE: ImageRecipe = {
  imageName: 'demo',
  title: 'demo-api',
  version: '1.2.3',
  user: 'app',
  uid: 10001,
  gid: 10001,
  port: 8000,
  workers: 2,
  healthPath: '/health',
  sizeBudgetMb: 500,
  srcdir: 'src',
  libdir: 'lib',
  tsconfigFile: 'tsconfig.json',
  lockFile: 'package-lock.json',
  entrypoint: 'lib/index.js',
  assets: ['config', 'prompts'],
  env: {},
  labels: {},
  nodeImage: 'node:24-trixie-slim',
  runtimeImage: 'debian:trixie-slim',
  keepNpm: false,
  copyLink: false,
  devDependencies: ['typescript'],
};
