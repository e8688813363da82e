import { CHECK_CATEGORIES, CheckCategory, CheckPlan, HealthTiming, planEntries } from '../container/check-plan';
import { runtimeFrom } from '../container/dockerfile';
import type { ResolvedContainer } from '../container/resolved-container';
import { RunScope } from '../engine';
import { checkCommands } from './categories/commands';
import { checkFileExistence } from './categories/file-existence';
import { checkMetadata } from './categories/metadata';
import { checkRuntime } from './categories/runtime';
import { broken, Row, rowId, skipped } from './report';

export interface VerifyInput {
  readonly scope: RunScope;
  readonly spec: ResolvedContainer;
  /** What this image must pass: the spec's plan for its platform (`planFor`), with emulation's allowance when it runs emulated. */
  readonly plan: CheckPlan;
  /** The HEALTHCHECK timing the runtime checks wait by; the spec's, or emulation's allowance of it. */
  readonly timing: HealthTiming;
  readonly databaseUrl?: string;
  /** `docker stop -t`; by default Docker's 10, or past the stop limit, so a slow stop is measured, not cut short. Tests lower it to fail fast. */
  readonly stopTimeoutS?: number;
}

/** One skipped row per plan entry, when there is no image to check: the table still lists every check. */
export function skipPlan(plan: CheckPlan, reason: string): Row[] {
  return planEntries(plan).map(({ category, check }) => skipped({ id: rowId(category, check.name), title: check.title, expected: '-' }, reason));
}

/**
 * Exactly one row per plan entry, in plan order, whatever the categories
 * returned: an entry without a row is a verifier bug that must show, not a
 * silently shorter table.
 */
export function inPlanOrder(plan: CheckPlan, rows: readonly Row[]): Row[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return planEntries(plan).map(({ category, check }) => {
    const id = rowId(category, check.name);
    return byId.get(id) ?? broken({ id, title: check.title, expected: 'a verdict' }, 'verifier bug: no row for this entry');
  });
}

/**
 * Interprets the plan against an image that exists locally. The categories
 * run concurrently, each turning its own failures into failed rows, so one
 * broken probe cannot hide the others' results.
 */
export async function verifyImage(input: VerifyInput): Promise<Row[]> {
  const { scope, spec, plan } = input;
  const info = await scope.docker.getImage(scope.image).inspect();
  const guard = (category: CheckCategory, work: () => Promise<Row[]>) => work().catch((e: unknown) =>
    plan[category].map((check: { name: string; title: string }) => broken({ id: rowId(category, check.name), title: check.title, expected: 'check completes' }, e)));
  const run: Record<CheckCategory, () => Promise<Row[]>> = {
    commands: () => checkCommands(scope, plan.commands),
    fileExistence: () => checkFileExistence(scope, plan.fileExistence),
    metadata: () => checkMetadata(scope.docker, info, runtimeFrom(spec), plan.metadata),
    runtime: () => checkRuntime(scope, plan.runtime, {
      healthTest: info.Config.Healthcheck?.Test,
      timing: input.timing,
      port: spec.port,
      databaseUrl: input.databaseUrl,
      stopTimeoutS: input.stopTimeoutS ?? Math.max(10, Math.ceil(stopLimitMs(plan) / 1000) + 1),
    }),
  };
  try {
    const rows = await Promise.all(CHECK_CATEGORIES.map((c) => guard(c, run[c])));
    return inPlanOrder(plan, rows.flat());
  } finally {
    await scope.sweep().catch(() => undefined);
  }
}

/** The plan's stop limit; 0 when it has no stop check. */
function stopLimitMs(plan: CheckPlan): number {
  return Math.max(0, ...plan.runtime.map((c) => (c.kind === 'stop' ? c.limitMs : 0)));
}

/**
 * What an emulated image must pass: the same checks, with every time limit
 * `factor` times as long, because each instruction is translated, and the pod
 * check told that the emulator shares its memory limit. Pure.
 */
export function emulated(plan: CheckPlan, timing: HealthTiming, factor: number): { plan: CheckPlan; timing: HealthTiming } {
  return {
    plan: {
      ...plan,
      runtime: plan.runtime.map((c) => {
        if (c.kind === 'stop') return { ...c, limitMs: c.limitMs * factor };
        if (c.kind === 'pod') return { ...c, emulated: true as const };
        return c;
      }),
    },
    timing: { ...timing, timeoutS: timing.timeoutS * factor, startPeriodS: timing.startPeriodS * factor },
  };
}
