import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';

/** `skip` is never a pass: a skipped check is reported as such, not counted as green. */
export type Status = 'pass' | 'fail' | 'skip';

/**
 * One line of the verdict. A check (e.g. "4 no dev packages") may yield
 * several rows (4a, 4b, ...) so that each expected/measured pair stays short
 * enough to read in a terminal.
 */
export interface Row {
  /** `2`, `4a`, ...: the check number, plus a letter when a check has several rows. */
  readonly id: string;
  readonly check: string;
  readonly expected: string;
  readonly measured: string;
  readonly status: Status;
}

export interface Report {
  readonly image: string;
  readonly imageId?: string;
  readonly specPath: string;
  readonly runId: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly rows: readonly Row[];
}

/** Builds a row whose status follows from a boolean. */
export function row(id: string, check: string, expected: string, measured: string, passed: boolean): Row {
  return { id, check, expected, measured, status: passed ? 'pass' : 'fail' };
}

/** Every row of a check that could not run, so the table still lists the check and says why. */
export function skipped(id: string, check: string, expected: string, reason: string): Row {
  return { id, check, expected, measured: reason, status: 'skip' };
}

/** A failed row for a check whose probe itself broke (engine error, timeout...). */
export function broken(id: string, check: string, expected: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { id, check, expected, measured: `error: ${oneLine(message)}`, status: 'fail' };
}

/** The run fails on any failed row; skipped rows (e.g. no database given) do not fail it. */
export function isOk(rows: readonly Row[]): boolean {
  return rows.length > 0 && rows.every((r) => r.status !== 'fail');
}

/** Orders rows by check number, then letter, whatever order concurrent checks finished in. */
export function sortRows(rows: readonly Row[]): Row[] {
  const key = (id: string) => {
    const m = /^(\d+)(.*)$/.exec(id);
    return m ? [Number(m[1]), m[2]] as const : [Number.MAX_SAFE_INTEGER, id] as const;
  };
  return [...rows].sort((a, b) => {
    const [an, as] = key(a.id);
    const [bn, bs] = key(b.id);
    return an - bn || as.localeCompare(bs);
  });
}

const MARK: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/**
 * Renders the verdict as a plain-text table. Long cells wrap inside their
 * column instead of stretching the table past the terminal.
 */
export function renderTable(rows: readonly Row[], width = 60): string {
  const headers = ['#', 'check', 'expected', 'measured', 'result'];
  const cells = rows.map((r) => [r.id, r.check, r.expected, r.measured, MARK[r.status]]);
  const widths = headers.map((h, i) => Math.min(width, Math.max(h.length, ...cells.map((c) => longestLine(c[i])))));
  const line = (cols: string[]) => {
    const wrapped = cols.map((c, i) => wrap(c, widths[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    const out: string[] = [];
    for (let y = 0; y < height; y++) {
      out.push(wrapped.map((w, i) => (w[y] ?? '').padEnd(widths[i])).join(' | ').trimEnd());
    }
    return out.join('\n');
  };
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(headers), rule, ...cells.map(line)].join('\n');
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
