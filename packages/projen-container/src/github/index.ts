// The GitHub side of the project: the one action pin set, container.yml, the
// PostgreSQL image it and compose run, and a step a project's tests may need.
export { ACTIONS, pinActions } from './actions';
export { ContainerWorkflow } from './container-workflow';
export type { ContainerWorkflowProps } from './container-workflow';
export type { TestJob } from './container-jobs';
export { POSTGRES_IMAGE, POSTGRES_PORT, postgresService, postgresServiceUrl } from './postgres-service';
export { pullBaseImages } from './steps';
export type { Step } from './steps';
