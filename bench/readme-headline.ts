/**
 * The README quotes the headline of the last bench run. It is written by
 * the bench itself between two markers, from the same results as
 * docs/benchmarks.md, so the two cannot disagree.
 */
import { headline, tally } from './report';
import { BENCH_OUTPUTS } from './targets';
import type { BenchResults } from './types';

export const README_HEADLINE_START = '<!-- bench:headline: written by `npx projen bench`, do not edit -->';
export const README_HEADLINE_END = '<!-- /bench:headline -->';

/** What the README quotes of a run: when, at which revision, the tally, and the headline table. Pure. */
export function readmeHeadline(r: BenchResults): string {
  const [ok, judged] = tally(r);
  return [
    `From the run of ${r.date} at \`${r.revision}\` on ${r.machine.cores} cores: targets met ${ok} of ${judged} (medians, min–max).`,
    '',
    headline(r),
  ].join('\n');
}

function markers(readme: string): [number, number] {
  const start = readme.indexOf(README_HEADLINE_START);
  const end = readme.indexOf(README_HEADLINE_END);
  if (start < 0) throw new Error(`${BENCH_OUTPUTS.readme} has no ${README_HEADLINE_START} line: the bench writes its headline after it`);
  if (end < start) throw new Error(`${BENCH_OUTPUTS.readme} has no ${README_HEADLINE_END} line after ${README_HEADLINE_START}`);
  return [start + README_HEADLINE_START.length, end];
}

/** The text between the markers. Pure. */
export function readmeHeadlineOf(readme: string): string {
  const [from, to] = markers(readme);
  return readme.slice(from, to).trim();
}

/** `readme` with the text between the markers replaced by `block`. Pure. */
export function withReadmeHeadline(readme: string, block: string): string {
  const [from, to] = markers(readme);
  return `${readme.slice(0, from)}\n${block}\n${readme.slice(to)}`;
}
