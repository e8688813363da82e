/**
 * `docker:verify`: interprets the check plan of `.projen/container.json`
 * against an image, one row per plan entry.
 *
 * Naming: `judge*` functions are pure (plain facts in, a Row out) and are
 * tested without an engine; `check*` functions touch the engine to gather
 * those facts and then call the judges. Everything that talks to Docker
 * goes through `../engine`, which lock, publish and the bench share.
 */
export { main, reportError } from './run';
export type { Io } from './run';
export { verifyImage, skipPlan } from './verify';
export type { VerifyInput } from './verify';
export { VerifyError } from './errors';
export { isOk, renderTable, rowId, summary, writeReport } from './report';
export type { CheckedImage, Report, Row, Status } from './report';
// The pod check's pieces, for tools that run an image as its Deployment would (a soak, say).
export { fillHeap, kustomize, podHostConfig } from './categories/pod';
export type { HeapFill } from './categories/pod';
