// What .projenrc.ts builds the project from. Verify and the bench import
// their own modules directly: they run outside synthesis.
export * from './container';
export * from './github';
export { Renovate } from './renovate';
export { TaskMakefile } from './task-makefile';
export * from './deploy';
