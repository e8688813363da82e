// The container image's public surface: the components, their props, and the
// resolved model other tools read. Validators and renderers stay internal.
export { BUNDLER_DEPENDENCY, ContainerImage, IMAGE_TASKS } from './container-image';
export type { AppConfigProps, ContainerImageProps, DatabaseEngine, DatabaseProps } from './container-image-props';
export { DATABASE_URL_ENV, DEFAULT_APP_CONFIG_PATH, DEFAULT_NODE_MAJOR, MAX_WORKERS } from './container-image-props';
export type { ResolvedProps } from './resolve';
export { ContainerDocs } from './container-docs';
export { CONTAINER_SPEC_PATH, resolvedContainerSchema, SPEC_SCHEMA_VERSION, specFileContent } from './resolved-container';
export type { ResolvedContainer } from './resolved-container';
export { readSpec, SpecError } from './read-spec';
export type * from './check-plan';
export { checkBaseSchema, checkPlanSchema } from './check-plan';
export { podRunSettings } from './pod-run-settings';
export type { KubeObject, PodProbe, PodRunSettings, ProbeKind } from './pod-run-settings';
