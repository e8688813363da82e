/** The projen tasks the component adds; the Makefile, docs and workflow call them by these names. */
export const IMAGE_TASKS = {
  lock: 'docker:lock',
  build: 'docker:build',
  run: 'docker:run',
  verify: 'docker:verify',
  publish: 'docker:publish',
} as const;
