import { posix } from 'node:path';
import * as z from 'zod';
import { text } from './spec-fields';
import { IMAGE, fail } from './validation';

/** One file esbuild writes: `output` (relative to the workdir, as the image runs it) from `source`. */
export const bundleEntrySchema = z.strictObject({ source: text, output: text }).readonly();
export type BundleEntry = z.infer<typeof bundleEntrySchema>;

/** What the build stage bundles and what ships beside the bundles. */
export const appBundleSchema = z.strictObject({
  entries: z.array(bundleEntrySchema).readonly(),
  /** The licences of every bundled package, written next to package.json. */
  noticesFile: text,
  /** A folder of `<name>@<version>/package.json`, one per bundled package, next to package.json: what scanners read. */
  manifestsDir: text,
  /** The script that writes {@link noticesFile}, relative to the project root. */
  noticesScript: text,
}).readonly();
export type AppBundle = z.infer<typeof appBundleSchema>;

/** Where licences go: the name npm-world tools and reviewers look for. */
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES';

/** Where the bundled packages' manifests go: named for what it holds, so no one mistakes it for node_modules. */
export const MANIFESTS_DIR = 'bundled-packages';

/**
 * The generated copy of the notices writer the build stage runs: a file of
 * the project, so the build context never reaches outside it.
 */
export const NOTICES_SCRIPT = '.projen/third-party-notices.cjs';

/** The build stage's folder of bundled output, laid out as the workdir. */
export const BUNDLE_OUTDIR = 'bundle';

/** esbuild's record of every input, which the notices are written from. */
export const BUNDLE_METAFILE = 'bundle-meta.json';

interface BundleFacts {
  readonly srcdir: string;
  readonly libdir: string;
  readonly entrypoint: string;
  readonly assets: readonly string[];
  readonly migrateCommand?: readonly string[];
}

/**
 * Every file the image runs with node, each bundled with its dependencies:
 * the entry point from its TypeScript source, and the migrate command's
 * script when it is a JavaScript asset. The image then needs no
 * node_modules. Pure.
 */
export function appBundle(f: BundleFacts): AppBundle {
  const entries = [entrypointEntry(f), ...(f.migrateCommand ? scriptEntry(f.migrateCommand, f.assets) : [])];
  return { entries, noticesFile: NOTICES_FILE, manifestsDir: MANIFESTS_DIR, noticesScript: NOTICES_SCRIPT };
}

function entrypointEntry(f: BundleFacts): BundleEntry {
  const prefix = `${f.libdir}/`;
  if (!f.entrypoint.startsWith(prefix) || !f.entrypoint.endsWith('.js')) {
    fail(IMAGE, 'entrypoint', `(the project's, package.json "main") must be a .js file under the libdir (${f.libdir}), compiled from ${f.srcdir}`, f.entrypoint);
  }
  const stem = f.entrypoint.slice(prefix.length, -'.js'.length);
  return { source: `${f.srcdir}/${stem}.ts`, output: f.entrypoint };
}

/** `node <script>.js ...` where the script is an asset: bundled in place, so it runs where it is documented. */
function scriptEntry(argv: readonly string[], assets: readonly string[]): BundleEntry[] {
  const [command, script] = argv;
  if (command !== 'node' || !script) return [];
  const file = posix.normalize(script);
  const inAsset = assets.some((a) => file === a || file.startsWith(`${a}/`));
  if (!inAsset) return [];
  if (!file.endsWith('.js')) fail(IMAGE, 'migrateCommand', 'a script node runs from the assets must be a .js file, so its bundle keeps its name', script);
  return [{ source: file, output: file }];
}

/** The esbuild command of the build stage, run in the workdir. Pure. */
export function bundleCommand(b: AppBundle, nodeMajor: number): string {
  const entries = b.entries.map((e) => `${e.output.replace(/\.js$/, '')}=${e.source}`);
  return [
    'node_modules/.bin/esbuild',
    ...entries,
    '--bundle',
    '--platform=node',
    `--target=node${nodeMajor}`,
    '--format=cjs',
    '--log-level=warning',
    `--metafile=${BUNDLE_METAFILE}`,
    `--outdir=${BUNDLE_OUTDIR}`,
  ].join(' ');
}

/** The notices and manifests command of the build stage, after {@link bundleCommand}. Pure. */
export function noticesCommand(b: AppBundle): string {
  return `node ${posix.basename(b.noticesScript)} ${BUNDLE_METAFILE} ${BUNDLE_OUTDIR}/${b.noticesFile} ${BUNDLE_OUTDIR}/${b.manifestsDir}`;
}
