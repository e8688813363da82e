// The GitHub side of the project: the one action pin set, the steps and the
// PostgreSQL service the workflows share, and container.yml.
export { ACTIONS, pinActions } from './actions';
export { ContainerWorkflow } from './container-workflow';
export type { ContainerWorkflowProps } from './container-workflow';
export { POSTGRES_IMAGE, postgresService, TEST_ADMIN_DATABASE_URL } from './postgres-service';
export { INSTALL_SHELLCHECK, pullBaseImages } from './steps';
