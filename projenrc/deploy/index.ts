// The deploy's public surface: the components and their props. Renderers and
// defaults stay internal.
export { ComposeStack, devDatabaseUrl } from './compose';
export type { ComposeStackProps, EnvFileEntry } from './compose';
export { KubernetesManifests } from './kubernetes-manifests';
export type { KubernetesEnvironmentProps, KubernetesManifestsProps, NetworkPeer, PodResources } from './kubernetes-props';
export { DeployDocs } from './deploy-docs';
