// The deploy's public surface: the components, their props, the models and resolved props they expose, and the
// names of the stack's services, its env file and the releases file. Renderers and defaults stay internal.
export { COMPOSE_SERVICES, ComposeStack, ENV_FILE } from './compose';
export type { ComposeModel, ComposeStackProps, EnvFileEntry } from './compose';
export type { ComposeHealthcheck, ComposeServiceExtension, DependsOnCondition } from './compose-extensions';
export { RELEASES_FILE } from './defaults';
export { KubernetesManifests } from './kubernetes-manifests';
export type { KubernetesDocFacts } from './kubernetes-docs';
export type {
  KubernetesEnvironmentProps, KubernetesManifestsProps, NetworkPeer, PodResources, ResolvedDatabase, ResolvedEnvironment, ResolvedKubernetesProps,
} from './kubernetes-props';
export type { Release } from './releases';
export { DeployDocs } from './deploy-docs';
