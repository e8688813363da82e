import { headline } from '../../bench/report';
import { summarize } from '../../bench/stats';
import type { BenchResults, Section } from '../../bench/types';

const party = (label: string) => ({ label, what: label });
const loadSection = (title: string, ours: number, bare: number): Section => ({
  title,
  subject: party('ours'),
  anchor: party('bare'),
  params: {},
  method: '',
  rows: [{ metric: 'requests/s', unit: 'req/s', subject: summarize([ours]), anchor: summarize([bare]), headline: true, target: { ratioMin: 0.9, source: 'bench/targets.ts X' } }],
});

test('headline: a metric that heads several sections is named with its section\'s title; a unique one stays as it is', () => {
  const size: Section = {
    ...loadSection('Image', 0, 0),
    rows: [{ metric: 'image size', unit: 'MB', subject: summarize([110]), anchor: summarize([400]), headline: true }],
  };
  const results = { sections: [loadSection('GET /health under load', 45, 50), loadSection('GET /live under load', 40, 50), size] } as unknown as BenchResults;
  const rows = headline(results).split('\n').slice(2).map((l) => l.split(' | ')[0]);
  expect(rows).toEqual(['| GET /health under load: requests/s', '| GET /live under load: requests/s', '| image size']);
  expect(headline(results)).toMatch(/ratio ≥ 0\.9 \(bench\/targets\.ts X\): met/);
  expect(headline(results)).toMatch(/0\.80× \| ratio ≥ 0\.9 \(bench\/targets\.ts X\): missed/);
});
