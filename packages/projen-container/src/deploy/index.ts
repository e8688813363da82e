// The deploy's public surface: the components, their props, and the names of
// the stack's services and env file. Renderers and defaults stay internal.
export { COMPOSE_SERVICES, ComposeStack, ENV_FILE } from './compose';
export type { ComposeStackProps, EnvFileEntry } from './compose';
export { KubernetesManifests } from './kubernetes-manifests';
export type { KubernetesEnvironmentProps, KubernetesManifestsProps, NetworkPeer, PodResources } from './kubernetes-props';
export { DeployDocs } from './deploy-docs';
