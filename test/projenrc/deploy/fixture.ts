import { Testing } from 'projen';
import { parse } from 'yaml';
import type { ContainerImageProps, ResolvedContainer } from '../../../projenrc';
import { ContainerImage } from '../../../projenrc';
import type { ComposeStackProps, KubeObject, KubernetesManifestsProps } from '../../../projenrc/deploy';
import { ComposeStack, DeployDocs, KubernetesManifests } from '../../../projenrc/deploy';
import { resolveKubernetesProps, renderKubernetes } from '../../../projenrc/deploy/kubernetes';
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
};

export const MANIFESTS = [
  'deploy/kubernetes/deployment.yaml',
  'deploy/kubernetes/service.yaml',
  'deploy/kubernetes/pod-disruption-budget.yaml',
  'deploy/kubernetes/horizontal-pod-autoscaler.yaml',
  'deploy/kubernetes/network-policy.yaml',
  'deploy/kubernetes/migrate-job.yaml',
] as const;

export interface DeploySynth {
  readonly out: Record<string, any>;
  readonly compose: Record<string, any>;
  readonly envExample: string;
  readonly docs: string;
  /** The manifests parsed back from the written YAML, by path. */
  readonly manifests: Record<string, KubeObject>;
  readonly kustomization: Record<string, any>;
}

/** A project with the image and every deploy component, synthesized (Testing.synth deletes its outdir). */
export function synthDeploy(
  props: Partial<ContainerImageProps> = {},
  options: { compose?: ComposeStackProps; kubernetes?: KubernetesManifestsProps; folders?: readonly string[] } = {},
): DeploySynth {
  const project = testProject(options.folders);
  const image = new ContainerImage(project, { ...BASE_PROPS, ...DEPLOY_PROPS, ...props });
  const stack = new ComposeStack(image, options.compose);
  const kubernetes = new KubernetesManifests(image, options.kubernetes);
  new DeployDocs(image, stack, kubernetes);
  const out = Testing.synth(project);
  const yamlOf = (path: string) => parse(out[path]);
  return {
    out,
    compose: yamlOf('compose.yaml'),
    envExample: out['.env.example'],
    docs: out['docs/deploy.md'],
    manifests: Object.fromEntries(MANIFESTS.filter((m) => out[m] !== undefined).map((m) => [m, yamlOf(m)])),
    kustomization: yamlOf('deploy/kubernetes/kustomization.yaml'),
  };
}

/** Rendered in memory from a resolved declaration: no project, no files. */
export function renderManifests(props: Partial<ContainerImageProps> = {}, k: KubernetesManifestsProps = {}) {
  const r: ResolvedContainer = resolved({ ...DEPLOY_PROPS, ...props });
  return { r, manifests: renderKubernetes(r, resolveKubernetesProps(r, k)) };
}

export type PodSpec = Record<string, any>;

/** The pod spec of a Deployment or Job. */
export function podSpecOf(o: KubeObject): PodSpec {
  return (o as any).spec.template.spec;
}

export function byKind(manifests: Record<string, KubeObject>, kind: string): KubeObject {
  const found = Object.values(manifests).filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0];
}
