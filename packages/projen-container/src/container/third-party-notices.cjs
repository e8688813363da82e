'use strict';
// Writes the licence of every package esbuild bundled, and a manifest of each, from its metafile:
//   node third-party-notices.cjs <metafile> <notices file> <manifests folder>
// The bundle ships without node_modules, and with it every licence file and
// package.json its packages carried; this keeps the licences, and the name, version
// and licence of each package where scanners look for them. Plain CommonJS: it runs
// in the image's build stage, where neither projen nor a TypeScript loader is installed.

const { mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

/** A licence, notice or copying file, whatever its case or extension. */
const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/** The package folders the bundle's inputs come from, e.g. node_modules/a/node_modules/b, sorted. */
function packageDirs(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1]);
  }
  return [...dirs].sort();
}

const manifestOf = (root, dir) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));

/** One package's section: name, version, declared licence and the texts of its licence files. */
function noticeOf(root, dir) {
  const manifest = manifestOf(root, dir);
  const declared = typeof manifest.license === 'string' ? manifest.license : 'no licence declared';
  const files = readdirSync(path.join(root, dir)).filter((f) => LICENCE_FILE.test(f)).sort();
  const texts = files.map((f) => readFileSync(path.join(root, dir, f), 'utf8').trim());
  const body = texts.length > 0 ? texts.join('\n\n')
    : `The package ships no licence file; its package.json declares the licence ${declared}${sourceOf(manifest)}.`;
  return `${manifest.name}@${manifest.version} (${declared})\n\n${body}`;
}

/** Where the licence text can be read when the package carries none: its repository, as its manifest names it. */
function sourceOf(manifest) {
  const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  return repository ? `, and its source is ${repository}` : '';
}

/** The whole notices file: one section per bundled package. */
function renderNotices(root, metafile) {
  const sections = packageDirs(metafile).map((dir) => noticeOf(root, dir));
  return `Third-party software bundled into this application, with its licences.\n\n${sections.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}

/**
 * One `<name>@<version>/package.json` per bundled package, holding its name, version and declared
 * licence: Trivy, Grype and Syft find an image's npm packages by their package.json files, and the
 * bundle leaves none. Packages bundled from two folders at the same version give one manifest.
 */
function renderManifests(root, metafile) {
  const files = new Map();
  for (const dir of packageDirs(metafile)) {
    const { name, version, license } = manifestOf(root, dir);
    const manifest = { name, version, ...(typeof license === 'string' ? { license } : {}) };
    files.set(`${name}@${version}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return [...files].map(([file, text]) => ({ file, text }));
}

module.exports = { packageDirs, renderManifests, renderNotices };

if (require.main === module) {
  const [metafilePath, noticesPath, manifestsDir] = process.argv.slice(2);
  if (!metafilePath || !noticesPath || !manifestsDir) {
    process.stderr.write('usage: node third-party-notices.cjs <esbuild metafile> <notices file> <manifests folder>\n');
    process.exit(2);
  }
  const metafile = JSON.parse(readFileSync(metafilePath, 'utf8'));
  writeFileSync(noticesPath, renderNotices(process.cwd(), metafile));
  // Made even when nothing was bundled, so every image has the folder its check looks for.
  mkdirSync(manifestsDir, { recursive: true });
  for (const { file, text } of renderManifests(process.cwd(), metafile)) {
    mkdirSync(path.dirname(path.join(manifestsDir, file)), { recursive: true });
    writeFileSync(path.join(manifestsDir, file), text);
  }
}
