/** The projen tasks the component adds; the Makefile, docs and workflow call them by these names. */
export const IMAGE_TASKS = {
  lock: 'docker:lock',
  build: 'docker:build',
  run: 'docker:run',
  verify: 'docker:verify',
  publish: 'docker:publish',
} as const;

/**
 * The publish tool, bundled into one file that runs with node alone: the
 * project gets a generated copy, which docker:publish and the workflow's
 * publish job run (that job holds write tokens and installs nothing).
 */
export const PUBLISH_TOOL = '.projen/container-publish.cjs';
