// The image's Dockerfile as data, for tools that render a variant of it (the
// runtime kinds side by side, as a benchmark does) or name what it runs on.
// Synthesis needs none of it: ContainerImage writes the Dockerfile.
export { dockerfileModel, runtimeFrom, SCRATCH } from '../container/dockerfile';
export { renderDockerfile } from '../container/dockerfile-render';
export type * from '../container/dockerfile-model';
export { BUILD_PLATFORM } from '../container/dockerfile-model';
export { archOf, DEBIAN_RELEASE, nodeImageOf, RUNTIME_KINDS } from '../container/container-image-props';
export type { RuntimeKind } from '../container/container-image-props';
