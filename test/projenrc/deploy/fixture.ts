import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { Testing } from 'projen';
import { parse } from 'yaml';
import type { ContainerImageProps, KubeObject, ResolvedContainer } from '../../../packages/projen-container/src';
import { ContainerImage } from '../../../packages/projen-container/src';
import type { ComposeStackProps, KubernetesManifestsProps } from '../../../packages/projen-container/src/deploy';
import { ComposeStack, DeployDocs, KubernetesManifests } from '../../../packages/projen-container/src/deploy';
import { RELEASES_FILE } from '../../../packages/projen-container/src/deploy/defaults';
import { baseTarget, renderKubernetes } from '../../../packages/projen-container/src/deploy/kubernetes';
import { resolveKubernetesProps } from '../../../packages/projen-container/src/deploy/kubernetes-props';
import { kustomize } from '../../../packages/projen-container/src/verify/categories/pod';
import { BASE_PROPS, resolved, testProject } from '../container/fixture';

/** The container fixture's declaration, with a GitHub source the registry image is derived from. */
export const DEPLOY_PROPS: Partial<ContainerImageProps> = { sourceUrl: 'https://github.com/Acme/Demo-API' };

/** The second declaration: every fact the deploy reads, changed. */
export const SECOND_PROPS: Partial<ContainerImageProps> = {
  ...DEPLOY_PROPS,
  port: 9000,
  user: 'svc',
  uid: 20000,
  workers: 4,
  healthPath: '/ready',
  metricsPath: '/internal/metrics',
  shutdownTimeoutMs: 8000,
};

export const BASE = 'deploy/kubernetes/base';
export const OVERLAYS = ['staging', 'production'] as const;
export const KUSTOMIZATIONS = [BASE, ...OVERLAYS.map((e) => `deploy/kubernetes/overlays/${e}`)] as const;

export const MANIFESTS = [
  `${BASE}/service-account.yaml`,
  `${BASE}/deployment.yaml`,
  `${BASE}/service.yaml`,
  `${BASE}/pod-disruption-budget.yaml`,
  `${BASE}/horizontal-pod-autoscaler.yaml`,
  `${BASE}/network-policy.yaml`,
  `${BASE}/migrate-job.yaml`,
] as const;

/** A digest as `docker:publish` prints one. */
export const digestOf = (c: string) => `sha256:${c.repeat(64)}`;

export interface DeploySynth {
  /** The test project's folder (deleted by the synthesis; task commands are relative to it). */
  readonly outdir: string;
  readonly out: Record<string, any>;
  /** Path of the compose file, as DockerCompose names it. */
  readonly composeFile: string;
  readonly compose: Record<string, any>;
  readonly envExample: string;
  readonly docs: string;
  /** The base's manifests parsed back from the written YAML, by path. */
  readonly manifests: Record<string, KubeObject>;
  readonly kustomization: Record<string, any>;
  /** What `kubectl kustomize` renders from the written files, by kustomization folder. */
  readonly rendered: Record<string, KubeObject[]>;
  /** Each environment's objects as the component renders them in memory, by environment. */
  readonly environments: Record<string, Record<string, KubeObject>>;
}

export interface DeployOptions {
  readonly compose?: ComposeStackProps;
  readonly kubernetes?: KubernetesManifestsProps;
  readonly folders?: readonly string[];
  /** Written to the releases file before synthesis. */
  readonly releases?: unknown;
}

/** Writes the synthesized deploy/ files to a fresh folder and renders each kustomization there with kubectl. */
export function kustomizeAll(out: Record<string, any>, dirs: readonly string[] = KUSTOMIZATIONS): Record<string, KubeObject[]> {
  const root = mkdtempSync(join(tmpdir(), 'kustomize-'));
  for (const [path, text] of Object.entries(out)) {
    if (!path.startsWith('deploy/')) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof text === 'string' ? text : JSON.stringify(text));
  }
  return Object.fromEntries(dirs.filter((d) => out[`${d}/kustomization.yaml`] !== undefined).map((d) => [d, kustomize(join(root, d))]));
}

/** A project with the image and every deploy component, synthesized (Testing.synth deletes its outdir). */
export function synthDeploy(props: Partial<ContainerImageProps> = {}, options: DeployOptions = {}): DeploySynth {
  const project = testProject(options.folders);
  if (options.releases !== undefined) {
    mkdirSync(join(project.outdir, dirname(RELEASES_FILE)), { recursive: true });
    writeFileSync(join(project.outdir, RELEASES_FILE), JSON.stringify(options.releases));
  }
  const image = new ContainerImage(project, { ...BASE_PROPS, ...DEPLOY_PROPS, ...props });
  const stack = new ComposeStack(image, options.compose);
  const kubernetes = new KubernetesManifests(image, options.kubernetes);
  new DeployDocs(image, stack, kubernetes);
  // Before synthesis: Testing.synth deletes the outdir, the releases file with it.
  const environments = Object.fromEntries(kubernetes.resolvedProps.environments.map((e) => [e.name, kubernetes.environment(e.name)]));
  const out = Testing.synth(project);
  const yamlOf = (path: string) => parse(out[path]);
  return {
    outdir: project.outdir,
    out,
    composeFile: stack.compose.file.path,
    compose: yamlOf(stack.compose.file.path),
    envExample: out['.env.example'],
    docs: out['docs/deploy.md'],
    manifests: Object.fromEntries(MANIFESTS.filter((m) => out[m] !== undefined).map((m) => [m, yamlOf(m)])),
    kustomization: yamlOf(`${BASE}/kustomization.yaml`),
    rendered: kustomizeAll(out, [BASE, ...Object.keys(environments).map((e) => `deploy/kubernetes/overlays/${e}`)]),
    environments,
  };
}

/** The base rendered in memory from a resolved declaration: no project, no files. */
export function renderManifests(props: Partial<ContainerImageProps> = {}, k: KubernetesManifestsProps = {}) {
  const r: ResolvedContainer = resolved({ ...DEPLOY_PROPS, ...props });
  const resolvedProps = resolveKubernetesProps(r, k);
  return { r, k: resolvedProps, manifests: renderKubernetes(r, resolvedProps, baseTarget(r, resolvedProps)) };
}

export type PodSpec = Record<string, any>;

/** The pod spec of a Deployment or Job. */
export function podSpecOf(o: KubeObject): PodSpec {
  return (o as any).spec.template.spec;
}

export function byKind(manifests: Record<string, KubeObject> | readonly KubeObject[], kind: string): KubeObject {
  const found = Object.values(manifests).filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0];
}
