// The container image's public surface: the components, their props, and the
// resolved model other tools read. Validators and renderers stay internal.
export { ContainerImage, IMAGE_TASKS } from './container-image';
export type { ContainerImageProps } from './container-image-props';
export { ContainerDocs } from './container-docs';
export { CONTAINER_SPEC_PATH } from './resolved-container';
export type { ResolvedContainer } from './resolved-container';
export { readSpec, SpecError } from './read-spec';
export type * from './check-plan';
