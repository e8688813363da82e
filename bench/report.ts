/**
 * docs/benchmarks.md from a {@link BenchResults}: a table renderer over its
 * rows. Pure; every figure, parameter and threshold comes from the results.
 */
import type { Summary } from './stats';
import { MISS_ANALYSIS } from './targets';
import type { BenchResults, Cell, Row, Section, Target, Unit } from './types';

const FORMAT: Record<Unit, { digits: number; suffix: string }> = {
  'ms': { digits: 0, suffix: ' ms' },
  's': { digits: 1, suffix: ' s' },
  'MB': { digits: 1, suffix: ' MB' },
  'count': { digits: 0, suffix: '' },
  'req/s': { digits: 0, suffix: '' },
  'ratio': { digits: 3, suffix: '' },
  'runs': { digits: 0, suffix: '' },
  'code': { digits: 0, suffix: '' },
};

const isSummary = (c: Cell): c is Summary => typeof c !== 'string';
const fixed = (v: number, unit: Unit): string => (Number.isFinite(v) ? v.toFixed(FORMAT[unit].digits) : 'n/a');
const num = (v: number, unit: Unit): string => `${fixed(v, unit)}${Number.isFinite(v) ? FORMAT[unit].suffix : ''}`;

/** `median (min–max)`, `k/n` for runs, the distinct values for exit codes. Pure. */
export function cell(c: Cell, unit: Unit): string {
  if (!isSummary(c)) return `\`${c}\``;
  const s = c.samples;
  if (s.length === 0) return 'n/a';
  if (unit === 'runs') return `${s.filter(Boolean).length}/${s.length}`;
  if (unit === 'code') return [...new Set(s)].join(', ');
  const range = s.length > 1 ? ` (${fixed(c.min, unit)}–${fixed(c.max, unit)})` : '';
  return `${num(c.median, unit)}${range}`;
}

/** subject ÷ anchor of the medians, for numeric units. Pure. */
export function ratio(r: Row): string {
  if (!isSummary(r.subject) || !isSummary(r.anchor) || r.unit === 'runs' || r.unit === 'code') return '—';
  const v = r.subject.median / r.anchor.median;
  return Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a';
}

function targetCell(r: Row): string {
  const t = r.target;
  if (!t) return '—';
  const bound = t.max !== undefined ? `≤ ${num(t.max, r.unit)}`
    : t.min !== undefined ? `≥ ${num(t.min, r.unit)}`
      : t.ratioMax !== undefined ? `ratio ≤ ${t.ratioMax}`
        : t.ratioMin !== undefined ? `ratio ≥ ${t.ratioMin}`
          : r.unit === 'runs' ? 'every run' : `= ${t.equals}`;
  return `${bound} (${t.source})`;
}

/** Every sample of the subject meets the target, and the ratio of the medians its bounds; null without one. Pure. */
export function met(r: Row): boolean | null {
  if (!r.target || !isSummary(r.subject)) return null;
  const { max, min, equals, ratioMax, ratioMin } = r.target;
  const s = r.subject.samples;
  const within = (v: number) => (max === undefined || v <= max) && (min === undefined || v >= min) && (equals === undefined || v === equals);
  const samplesOk = s.length > 0 && s.every(within);
  if (ratioMax === undefined && ratioMin === undefined) return samplesOk;
  if (!isSummary(r.anchor)) return false;
  const q = r.subject.median / r.anchor.median;
  return samplesOk && (ratioMax === undefined || q <= ratioMax) && (ratioMin === undefined || q >= ratioMin);
}

function table(head: readonly string[], align: string, rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), `|${align}|`, ...rows.map(line)].join('\n');
}

function section(s: Section): string {
  const params = Object.entries(s.params).map(([k, v]) => `${k} ${v}`).join(' · ');
  const lines = [`## ${s.title}`, '', `**${s.subject.label}**: ${s.subject.what}. **${s.anchor.label}**: ${s.anchor.what}.`, '', `${s.method} Parameters: ${params}.`, ''];
  const rows = s.rows.map((r) => {
    const m = met(r);
    return [r.metric, cell(r.subject, r.unit), cell(r.anchor, r.unit), ratio(r), targetCell(r), m === null ? '' : m ? 'yes' : 'no'];
  });
  return [...lines, table(['', s.subject.label, s.anchor.label, 'ratio', 'target', 'met?'], ' --- | ---: | ---: | ---: | --- | :---: ', rows), '',
    ...(s.notes?.length ? [...s.notes.map((n) => `- ${n}`), ''] : [])].join('\n');
}

/** `[met, judged]` over every row with a target. Pure. */
export function tally(r: BenchResults): [number, number] {
  const verdicts = r.sections.flatMap((s) => s.rows).map(met).filter((m) => m !== null);
  return [verdicts.filter(Boolean).length, verdicts.length];
}

/** `, why: <doc>` when the target's cause is written down. Pure. */
function whyMissed(t: Target): string {
  const name = Object.keys(MISS_ANALYSIS).find((k) => t.source.endsWith(` ${k}`));
  return name ? `, why: ${MISS_ANALYSIS[name]}` : '';
}

/** The table of every headline row, with its verdict and where a miss is analysed. Pure. */
export function headline(r: BenchResults): string {
  const picked = r.sections.flatMap((s) => s.rows.filter((x) => x.headline).map((x) => [s, x] as const));
  // A metric that heads several sections (requests/s) is named with its section's title.
  const shared = (metric: string) => picked.filter(([, x]) => x.metric === metric).length > 1;
  const rows = picked.map(([s, x]) => {
    const m = met(x);
    return [shared(x.metric) ? `${s.title}: ${x.metric}` : x.metric, `${cell(x.subject, x.unit)} (${s.subject.label})`, `${cell(x.anchor, x.unit)} (${s.anchor.label})`, ratio(x),
      x.target ? `${targetCell(x)}: ${m ? 'met' : `missed${whyMissed(x.target)}`}` : '—'];
  });
  return table(['measure', 'subject', 'anchor', 'ratio', 'target'], ' --- | ---: | ---: | ---: | --- ', rows);
}

function raw(r: BenchResults): string[] {
  return r.sections.flatMap((s) => s.rows.flatMap((x) => (isSummary(x.subject) && isSummary(x.anchor) && x.subject.samples.length > 1
    ? [`- ${s.title}, ${x.metric}: ${s.subject.label} ${x.subject.samples.map((v) => fixed(v, x.unit)).join(', ')}; `
      + `${s.anchor.label} ${x.anchor.samples.map((v) => fixed(v, x.unit)).join(', ')}`]
    : [])));
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const [ok, judged] = tally(r);
  return [
    '<!-- Generated by `npx projen bench` (bench/run.ts). Do not edit by hand: rerun it. -->',
    '# Benchmarks',
    '',
    `Measured ${r.date} at \`${r.revision}\` in one run of \`npx projen bench\` (${r.durationMin.toFixed(1)} min). `
      + 'Every figure stands beside its anchor, measured side by side in the same run: median (min–max); ratio = ours ÷ anchor. '
      + `Thresholds from ${r.spec} where its check plan declares one, else from bench/targets.ts.`,
    '',
    `**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB memory; Docker ${m.docker}; `
      + `Node ${m.node} on the host, ${m.nodeInImages} in the images; 1-minute load average ${m.load[0].toFixed(1)} at the start, `
      + `${m.load[1].toFixed(1)} at the end.`,
    '',
    `**Targets met: ${ok} of ${judged}** (a target is met when every sample of ours meets it).`,
    '',
    headline(r),
    '',
    ...r.sections.map(section),
    ...(r.notes.length ? ['## Notes from this run', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    '<details><summary>Raw samples</summary>',
    '',
    ...raw(r),
    '',
    '</details>',
    '',
  ].join('\n');
}
