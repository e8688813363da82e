import { synthSections } from '../../bench/measure-synth';
import { headline, met } from '../../bench/report';
import { CONSUMER_SYNTH_RATIO_MAX } from '../../bench/targets';
import type { BenchResults } from '../../bench/types';

const consumerRow = (consumer: number[], fresh: number[]) => {
  const sections = synthSections({ ours: [1.9], fresh, consumer }, fresh.length);
  return { sections, row: sections.find((s) => s.subject.label === 'consumer')!.rows[0] };
};

test('the consumer stands beside the same fresh app as ours, judged on the ratio of the medians', () => {
  const { sections, row } = consumerRow([3.1, 3.2, 3.3], [2.8, 2.7, 2.9]);
  expect(sections.map((s) => [s.subject.label, s.anchor.label])).toEqual([['ours', 'fresh app'], ['consumer', 'fresh app']]);
  expect(row.target).toEqual({ ratioMax: CONSUMER_SYNTH_RATIO_MAX, source: 'bench/targets.ts CONSUMER_SYNTH_RATIO_MAX' });
  expect(met(row)).toBe(true);
  expect(met(consumerRow([3.5], [2.8]).row)).toBe(false);
});

test('the headline names the consumer\'s ratio target and its verdict', () => {
  const { sections } = consumerRow([3.5], [2.8]);
  expect(headline({ sections } as unknown as BenchResults)).toMatch(
    /\| consumer synthesis with no changes \| 3\.5 s \(consumer\) \| 2\.8 s \(fresh app\) \| 1\.25× \| ratio ≤ 1\.2 \(bench\/targets\.ts CONSUMER_SYNTH_RATIO_MAX\): missed \|/,
  );
});
