import { cleanFiles, FIXTURE_PLAN, fixtureSpec } from './fixture';
import { CHECK_CATEGORIES, CheckCategory, CheckPlan, planEntries } from '../../../packages/projen-container/src/container/check-plan';
import { parseSpec } from '../../../packages/projen-container/src/container/read-spec';
import { specFileContent } from '../../../packages/projen-container/src/container/resolved-container';
import { judgeCommand } from '../../../packages/projen-container/src/verify/categories/commands';
import { judgeFileExistence } from '../../../packages/projen-container/src/verify/categories/file-existence';
import { judgeMetadata } from '../../../packages/projen-container/src/verify/categories/metadata';
import { judgeRuntime } from '../../../packages/projen-container/src/verify/categories/runtime';
import { Row } from '../../../packages/projen-container/src/verify/report';
import { emulated, inPlanOrder, skipPlan } from '../../../packages/projen-container/src/verify/verify';

/**
 * The plan is the list of checks: every entry yields exactly one row, named
 * `<category>/<name>`, in plan order. Proven with the judges and fixed
 * facts, so no engine is needed.
 */
function judgePlan(plan: CheckPlan): Row[] {
  const files = cleanFiles();
  const image = { config: {}, sizeBytes: 1, base: { ref: 'base' } };
  const rows = [
    ...plan.commands.map((c) => judgeCommand(c, { exitCode: 0, stdout: c.expectedOutput, stderr: '', oomKilled: false })),
    ...plan.fileExistence.map((c) => judgeFileExistence(c, files)),
    ...plan.metadata.map((c) => judgeMetadata(c, image)),
    ...plan.runtime.map((c) => judgeRuntime(c, { kind: 'skipped', reason: 'not run' })),
  ];
  return inPlanOrder(plan, [...rows].reverse());
}

const EXTRA: { [C in CheckCategory]: CheckPlan[C][number] } = {
  commands: { name: 'node-env', title: 'node sees production', command: ['node', '-p', 'process.env.NODE_ENV'], expectedOutput: 'production' },
  fileExistence: { name: 'no-docs', title: 'no docs', shouldExist: false, paths: ['/app/docs'] },
  metadata: { name: 'workers-env', title: 'WORKERS is set', field: 'env', env: { WORKERS: '1' } },
  runtime: { name: 'healthy-again', title: 'healthy on a second path', kind: 'healthy', path: '/ready' },
};

describe('one row per plan entry', () => {
  test('the fixture plan is a valid spec by the one reader', () => {
    expect(() => parseSpec(specFileContent(fixtureSpec()), 'fixture')).not.toThrow();
  });

  test('rows are named <category>/<name>, titled by the entry, in plan order', () => {
    const rows = judgePlan(FIXTURE_PLAN);
    const entries = CHECK_CATEGORIES.flatMap((c) => FIXTURE_PLAN[c].map((e: { name: string; title: string }) => [`${c}/${e.name}`, e.title]));
    expect(rows.map((r) => [r.id, r.title])).toEqual(entries);
  });

  test.each(CHECK_CATEGORIES)('adding one %s entry adds exactly one row, named for it', (category) => {
    const before = judgePlan(FIXTURE_PLAN).map((r) => r.id);
    const plan = { ...FIXTURE_PLAN, [category]: [...FIXTURE_PLAN[category], EXTRA[category]] } as CheckPlan;
    const after = judgePlan(plan).map((r) => r.id);
    expect(after).toHaveLength(before.length + 1);
    expect(after.filter((id) => !before.includes(id))).toEqual([`${category}/${EXTRA[category].name}`]);
  });

  test('an entry a category returned no row for shows as a failed row, not a shorter table', () => {
    const rows = inPlanOrder(FIXTURE_PLAN, []);
    expect(rows).toHaveLength(22);
    expect(rows[0]).toMatchObject({ id: 'commands/whoami', status: 'fail', measured: 'error: verifier bug: no row for this entry' });
  });

  test('without an image every entry is still listed, skipped with the reason', () => {
    const rows = skipPlan(FIXTURE_PLAN, 'no image to check (image/build failed)');
    expect(rows.map((r) => r.id)).toEqual(judgePlan(FIXTURE_PLAN).map((r) => r.id));
    expect(rows.every((r) => r.status === 'skip' && r.measured === 'no image to check (image/build failed)')).toBe(true);
  });
});

describe('an emulated image', () => {
  test('has its pod check told so, the emulator sharing the pod\'s memory limit', () => {
    const pod = { name: 'pod', title: 'pod', kind: 'pod', kustomization: 'deploy/kubernetes/overlays/production', container: 'api' } as const;
    const withPod: CheckPlan = { ...FIXTURE_PLAN, runtime: [...FIXTURE_PLAN.runtime, pod] };
    expect(emulated(withPod, fixtureSpec().healthcheck, 5).plan.runtime.filter((c) => c.kind === 'pod')).toEqual([{ ...pod, emulated: true }]);
  });

  test('gets the same checks, with every time limit the factor longer', () => {
    const { plan, timing } = emulated(FIXTURE_PLAN, fixtureSpec().healthcheck, 5);
    const stop = (p: CheckPlan) => p.runtime.find((c) => c.kind === 'stop');
    expect(planEntries(plan).map((e) => e.check.name)).toEqual(planEntries(FIXTURE_PLAN).map((e) => e.check.name));
    expect(stop(plan)).toMatchObject({ limitMs: (stop(FIXTURE_PLAN) as { limitMs: number }).limitMs * 5 });
    const native = fixtureSpec().healthcheck;
    expect(timing).toEqual({ ...native, timeoutS: native.timeoutS * 5, startPeriodS: native.startPeriodS * 5 });
  });
});
