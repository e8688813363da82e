/**
 * Image size, payload (image − its base) and the bytes the app actually
 * needs, measured inside the images with find(1) (file bytes only, no
 * directory entries, so "needed" is not inflated).
 */
import { docker, imageSize } from './exec';
import type { NeededBytes, SizeResult } from './types';

export async function measureSize(tag: string, baseImage: string): Promise<SizeResult> {
  const [image, base] = await Promise.all([imageSize(tag), imageSize(baseImage)]);
  return { image, base, baseImage, payload: image - base };
}

/** Shell snippet: sum of the sizes of the regular files under the given paths, each counted once. */
export function fileBytesScript(paths: readonly string[]): string {
  const quoted = paths.map((p) => `'${p.replace(/'/g, '\'\\\'\'')}'`).join(' ');
  return `find ${quoted} -type f -printf '%s\\t%p\\n' 2>/dev/null | sort -u | awk -F'\\t' '{s+=$1} END {printf "%d\\n", s}'`;
}

/** Runs a shell script in a throw-away container of `tag` (no network, as root) and returns stdout. */
export async function inImage(tag: string, script: string, workdir?: string): Promise<string> {
  const args = ['run', '--rm', '--network', 'none', '--user', '0', '--entrypoint', 'sh'];
  if (workdir) args.push('-w', workdir);
  args.push(tag, '-c', script);
  return (await docker(args, { timeoutMs: 120_000 })).stdout.trim();
}

export async function fileBytes(tag: string, workdir: string, paths: readonly string[]): Promise<number> {
  return Number(await inImage(tag, fileBytesScript(paths), workdir)) || 0;
}

export interface NeededInputs {
  /** Our image and its workdir (e.g. /app). */
  readonly ours: { readonly tag: string; readonly workdir: string };
  /** An image holding the full dependency tree plus npm (the baseline). */
  readonly withNpm: { readonly tag: string; readonly workdir: string };
  /** Asset folders relative to the workdir (spec.assets). */
  readonly assets: readonly string[];
}

/**
 * Bytes the app needs: the runtime dependency closure (`npm ls --omit=dev
 * --omit=optional --all --parseable`, resolved in the baseline image, so it does
 * not trust our own image's node_modules), compiled `lib/`, assets and
 * package.json (from our image), and the node binary.
 */
export async function measureNeeded(inp: NeededInputs): Promise<NeededBytes> {
  let nodeModules = 0;
  let source = '';
  const ls = async (omit: string): Promise<string[]> => (await inImage(
    inp.withNpm.tag,
    `npm ls ${omit} --all --parseable 2>/dev/null | grep /node_modules/ || true`,
    inp.withNpm.workdir,
  )).split('\n').map((x) => x.trim()).filter(Boolean);
  // Runtime closure. npm keeps "devOptional" packages (a devDependency that is also an optional peer, e.g.
  // @types/pg for node-pg-migrate) under --omit=dev, hence --omit=optional; and @types/* hold only .d.ts files
  // that node never loads, so they are not needed at run time either. What is left out is named in the report.
  const all = await ls('--omit=dev');
  const paths = (await ls('--omit=dev --omit=optional')).filter((p) => !/\/node_modules\/@types\//.test(p));
  const dropped = all.filter((p) => !paths.includes(p)).map((p) => p.replace(/^.*\/node_modules\//, ''));
  if (paths.length > 0) {
    nodeModules = await fileBytes(inp.withNpm.tag, inp.withNpm.workdir, paths);
    source = `\`npm ls --omit=dev --omit=optional --all\` closure without @types/* (${paths.length} packages), measured in the baseline image`
      + (dropped.length ? `; left out of \`npm ls --omit=dev\`: ${dropped.join(', ')} (type-only or optional, never loaded at run time)` : '');
  } else {
    nodeModules = await fileBytes(inp.ours.tag, inp.ours.workdir, ['node_modules']);
    source = 'our image\'s node_modules (npm ls gave no list)';
  }
  const lib = await fileBytes(inp.ours.tag, inp.ours.workdir, ['lib']);
  const assets = await fileBytes(inp.ours.tag, inp.ours.workdir, [...inp.assets, 'package.json']);
  const nodeBinary = Number(await inImage(inp.ours.tag, 'stat -c %s "$(readlink -f "$(command -v node)")"')) || 0;
  return { nodeModules, lib, assets, nodeBinary, source };
}

/** Where the bytes of an image's app dir go: for the explanation under the table. */
export async function appDirBreakdown(tag: string, workdir: string): Promise<Record<string, number>> {
  const script = 'for d in * .[!.]*; do [ -e "$d" ] || continue; '
    + 'printf "%s\\t" "$d"; find "$d" -type f -printf "%s\\n" | awk \'{s+=$1} END {printf "%d\\n", s}\'; done';
  const out = await inImage(tag, script, workdir);
  const res: Record<string, number> = {};
  for (const line of out.split('\n')) {
    const [k, v] = line.split('\t');
    if (k && v !== undefined) res[k] = Number(v);
  }
  return res;
}
