// The image, its checks, docs and workflow: what a project that declares an
// image imports. Compose and Kubernetes are `projen-container/deploy` (cdk8s
// loads only there); the engine and verify are their own entry points too.
export * from './container';
export * from './github';
export { Renovate } from './renovate';
export type { RenovatePin, RenovateProps } from './renovate';
export type { GeneratedFile } from './generated-file';
export { TaskMakefile } from './task-makefile';
