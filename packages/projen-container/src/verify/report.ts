import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import type { CheckCategory } from '../container/check-plan';

/**
 * Where verify writes its report and publish (and the workflow's artifact
 * steps) look for it, relative to the project root. test-reports/ is
 * git-ignored and is where jest-junit writes too. `VERIFY_REPORT` overrides it.
 */
export const REPORT_PATH = 'test-reports/verify-report.json';

/** `skip` is never a pass: a skipped check is reported as such, not counted as green. */
export type Status = 'pass' | 'fail' | 'skip';

/** One line of the verdict: one plan entry against one platform's image, or the image precondition. */
export interface Row {
  /** The platform whose image the row checked, e.g. `linux/arm64`; unset for the build, which makes all of them. */
  readonly platform?: string;
  /** `<category>/<name>` of the plan entry, e.g. `metadata/user`; `image/build` or `image/given` for the precondition. */
  readonly id: string;
  /** The entry's title: what passing proves. */
  readonly title: string;
  readonly expected: string;
  readonly measured: string;
  readonly status: Status;
}

/** One platform's image that the run checked. */
export interface CheckedImage {
  readonly platform: string;
  readonly image: string;
  /** Undefined when the image was missing. */
  readonly imageId?: string;
}

export interface Report {
  /** In the order of the declaration's platforms. */
  readonly images: readonly CheckedImage[];
  readonly specPath: string;
  /** The engine's address and how containers were reached, to read a report from another machine. */
  readonly engine: { readonly address: string; readonly reach: string };
  readonly runId: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly rows: readonly Row[];
}

/** The plan entry a row reports on; stable across runs and plan edits, unlike a position. */
export function rowId(category: CheckCategory, name: string): string {
  return `${category}/${name}`;
}

/** What a row is about, without its verdict. */
export interface RowHead {
  readonly id: string;
  readonly title: string;
  readonly expected: string;
}

export function row(head: RowHead, measured: string, passed: boolean): Row {
  return { ...head, measured, status: passed ? 'pass' : 'fail' };
}

export function skipped(head: RowHead, reason: string): Row {
  return { ...head, measured: reason, status: 'skip' };
}

/** A failed row for a check whose probe itself broke (engine error, timeout...): a verdict, not a crash. */
export function broken(head: RowHead, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { ...head, measured: `error: ${oneLine(message)}`, status: 'fail' };
}

/** The run fails on any failed row; skipped rows (e.g. no database given) do not fail it. */
export function isOk(rows: readonly Row[]): boolean {
  return rows.length > 0 && rows.every((r) => r.status !== 'fail');
}

/** At most `max` items, so one bad image does not flood the table. */
export function list(items: readonly string[], max = 6): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}

const MARK: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/**
 * Renders the verdict as a plain-text table of about 130 columns: the
 * platform, the row's id with its title under it, then expected and measured.
 * Long cells wrap inside their column instead of stretching the table past
 * the terminal.
 */
export function renderTable(rows: readonly Row[], widths: readonly number[] = [11, 34, 34, 38]): string {
  const headers = ['platform', 'check', 'expected', 'measured', 'result'];
  const cells = rows.map((r) => [r.platform ?? 'all', `${r.id}\n${r.title}`, r.expected, r.measured, MARK[r.status]]);
  const fit = headers.map((h, i) => Math.min(widths[i] ?? Infinity, Math.max(h.length, ...cells.map((c) => longestLine(c[i])))));
  const line = (cols: string[]) => {
    const wrapped = cols.map((c, i) => wrap(c, fit[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    const out: string[] = [];
    for (let y = 0; y < height; y++) {
      out.push(wrapped.map((w, i) => (w[y] ?? '').padEnd(fit[i])).join(' | ').trimEnd());
    }
    return out.join('\n');
  };
  const rule = fit.map((w) => '-'.repeat(w)).join('-+-');
  return [line(headers), rule, ...cells.map(line)].join('\n');
}

/** The same rows, each naming `platform`. */
export function onPlatform(platform: string, rows: readonly Row[]): Row[] {
  return rows.map((r) => ({ platform, ...r }));
}

/** One-line summary under the table. */
export function summary(rows: readonly Row[]): string {
  const count = (s: Status) => rows.filter((r) => r.status === s).length;
  return `${isOk(rows) ? 'PASSED' : 'FAILED'}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
}

export function writeReport(path: string, report: Report): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Megabytes as Docker and the plan count them: 10^6 bytes, one decimal. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split('\n').map((l) => l.length));
}

/** Word-wraps at `width`, hard-breaking words longer than a line. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let current = '';
    for (const word of para.split(' ')) {
      let w = word;
      while (w.length > width) {
        if (current) { out.push(current); current = ''; }
        out.push(w.slice(0, width));
        w = w.slice(width);
      }
      if (!current) {
        current = w;
      } else if (current.length + 1 + w.length <= width) {
        current += ' ' + w;
      } else {
        out.push(current);
        current = w;
      }
    }
    out.push(current);
  }
  return out;
}
