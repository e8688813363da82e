// The deploy's public surface: the components, their props, and what verify
// reads from the rendered manifests. Renderers and defaults stay internal.
export { ComposeStack, devDatabaseUrl } from './compose';
export type { ComposeStackProps, EnvFileEntry } from './compose';
export { KubernetesManifests } from './kubernetes';
export type { KubeObject, KubernetesManifestsProps } from './kubernetes';
export { DeployDocs } from './deploy-docs';
export { podRunSettings } from './pod-settings';
export type { PodProbe, PodRunSettings, ProbeKind } from './pod-settings';
