/**
 * Everything that talks to Docker goes through here, so verify and the
 * bench share one connection rule, one way to reach containers, and one
 * label sweep.
 */
export { ensureBaseImages } from './base-images';
export { EngineError, OneLineError } from './errors';
export { chooseReach, connectEngine, resolveDockerCli } from './connect';
export type { Engine, Reach } from './connect';
export { fastHealthcheck, healthDeadlineMs, waitForHealth } from './health';
export type { HealthOutcome } from './health';
export { cannotRun, ensurePlatformsRun, EXEC_FORMAT_ERROR } from './platforms';
export type { EnginePlatform } from './platforms';
export { httpGet, isAnswer } from './http';
export type { HttpAnswer } from './http';
export { freePorts } from './ports';
export { demux, inspectImage, logTail, newRunId, removeLabelled, RUN_LABEL, RunScope } from './scope';
export type { ContainerRequest, RunResult } from './scope';
export { sleep, withTimeout } from './time';
