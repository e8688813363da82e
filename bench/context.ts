/**
 * Temporary copies of the build context. Builds never run against the repo's
 * own tree: the warm-rebuild measure edits `src/index.ts` in the copy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Top-level entries never copied (not part of any build context; large). */
const SKIP_TOP = new Set(['node_modules', '.git', 'lib', 'dist', 'coverage', 'test-reports', '.cache', 'cdk.out']);

/**
 * Copies `root` into a fresh temp dir, skipping {@link SKIP_TOP} at the top
 * level and `node_modules` anywhere. Each image's own ignore file still
 * decides what reaches its build.
 */
export function makeContext(root: string, label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-ctx-${label}-`));
  for (const entry of fs.readdirSync(root)) {
    if (SKIP_TOP.has(entry) || entry.endsWith('.tsbuildinfo')) continue;
    fs.cpSync(path.join(root, entry), path.join(dir, entry), {
      recursive: true,
      filter: (src) => path.basename(src) !== 'node_modules',
    });
  }
  return dir;
}

/** Appends a one-line comment to `src/index.ts` in a context copy (the "one-line change"). */
export function touchSource(ctx: string, tag: string): void {
  fs.appendFileSync(path.join(ctx, 'src', 'index.ts'), `\n// bench warm rebuild ${tag}\n`);
}

export function removeContext(ctx: string): void {
  fs.rmSync(ctx, { recursive: true, force: true });
}
