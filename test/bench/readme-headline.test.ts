import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { README_HEADLINE_END, README_HEADLINE_START, readmeHeadline, readmeHeadlineOf, withReadmeHeadline } from '../../bench/readme-headline';
import { renderReport } from '../../bench/report';
import { BENCH_OUTPUTS } from '../../bench/targets';
import type { BenchResults } from '../../bench/types';

const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

describe('the README quotes the last bench run', () => {
  const results = JSON.parse(read(BENCH_OUTPUTS.results)) as BenchResults;

  test('docs/benchmarks.md is the rendering of the committed results', () => {
    expect(read(BENCH_OUTPUTS.report)).toBe(renderReport(results));
  });

  test('the README\'s headline is the same run\'s: date, revision, tally and every headline row', () => {
    const quoted = readmeHeadlineOf(read(BENCH_OUTPUTS.readme));
    expect(quoted).toBe(readmeHeadline(results));
    expect(quoted).toContain(results.date);
    const tableRows = quoted.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| --- '));
    expect(tableRows.length).toBe(1 + results.sections.flatMap((s) => s.rows).filter((r) => r.headline).length);
  });
});

describe('withReadmeHeadline', () => {
  const readme = `# App\n\nintro\n\n${README_HEADLINE_START}\nold table\n${README_HEADLINE_END}\n\n## Next\n`;

  test('replaces only what stands between the markers, and reads back what it wrote', () => {
    const next = withReadmeHeadline(readme, '| new |');
    expect(next).toBe(`# App\n\nintro\n\n${README_HEADLINE_START}\n| new |\n${README_HEADLINE_END}\n\n## Next\n`);
    expect(readmeHeadlineOf(next)).toBe('| new |');
    expect(withReadmeHeadline(next, '| new |')).toBe(next);
  });

  test('a README without the markers is refused, naming the missing one', () => {
    expect(() => withReadmeHeadline('# App\n', 'x')).toThrow(README_HEADLINE_START);
    expect(() => withReadmeHeadline(`${README_HEADLINE_START}\n`, 'x')).toThrow(README_HEADLINE_END);
  });
});
