'use strict';
// Bundles the publish tool (src/publish/cli.ts) into tools/publish.cjs, one file that runs with
// node alone: container.yml's publish job holds write tokens, so it installs nothing, and runs
// this file (ContainerImage copies it into the project). The licences of the packages bundled
// into it are appended, as comments. Committed: the build regenerates it, so a stale one is drift.
//   node scripts/bundle-publish.cjs <esbuild target, e.g. node24> [<out file>]   (in the package's folder)

const { writeFileSync } = require('node:fs');
const { buildSync } = require('esbuild');
const { renderNotices } = require('../src/container/third-party-notices.cjs');

const [target, out = 'tools/publish.cjs'] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: node scripts/bundle-publish.cjs <esbuild target> [<out file>]\n');
  process.exit(2);
}
const { outputFiles, metafile } = buildSync({
  entryPoints: ['src/publish/cli.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target,
  metafile: true,
  write: false,
  outfile: out,
  logLevel: 'warning',
});
// Run as `node <file>`, never executed itself: no hashbang, so a generated copy can begin with its marker.
const code = outputFiles[0].text.replace(/^#!.*\n/, '');
const notices = renderNotices(process.cwd(), metafile).trimEnd().split('\n').map((l) => `//${l ? ` ${l}` : ''}`).join('\n');
writeFileSync(out, `${code}\n${notices}\n`);
