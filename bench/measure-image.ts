/**
 * What each runtime ships: image size, its base's size, files, Debian
 * packages and npm packages. Counted from the image's file system, exported
 * from a created (never started) container, so images without a shell count
 * the same way as images with one.
 */
import { spawn } from 'node:child_process';
import { createGzip } from 'node:zlib';
import { imageSize, newRunId, retrying, RunScope, type Engine } from './engine';
import { summarize } from './stats';
import { IMAGE_GOAL_MB, IMAGE_GZIP_GOAL_MB } from './targets';
import type { Party, Row, Section, Target } from './types';
import { SCRATCH } from '../packages/projen-container/src/dockerfile';

export interface ImageUnderTest {
  readonly party: Party;
  readonly tag: string;
  readonly base: string;
  /** The budget it is held to: the spec's for the image the Dockerfile builds; none for the other runtimes, which it does not cover. */
  readonly sizeTarget?: Target;
  /** Also held to issue 17's goals (bench/targets.ts), uncompressed and gzipped: the image the Dockerfile builds. */
  readonly goals?: boolean;
}

/** `docker save` through gzip, in bytes: about what a registry stores and a node pulls. */
async function gzippedSize(engine: Engine, tag: string): Promise<number> {
  const gzip = createGzip();
  let bytes = 0;
  gzip.on('data', (b: Buffer) => { bytes += b.length; });
  const done = new Promise<void>((resolve, reject) => { gzip.on('end', resolve); gzip.on('error', reject); });
  ((await engine.docker.getImage(tag).get()) as NodeJS.ReadableStream).pipe(gzip);
  await done;
  return bytes;
}

/** A package's own manifest: `…/node_modules/name/package.json` or `…/node_modules/@scope/name/package.json`. */
const PACKAGE_JSON = /\/node_modules\/(@[^/]+\/)?[^/]+\/package\.json$/;

/** Pipes a tar stream through `tar` with `args`; resolves its stdout. */
function tar(stream: NodeJS.ReadableStream, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', [...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(out).toString('utf8')));
    stream.pipe(child.stdin).on('error', () => undefined);
  });
}

/** Files, Debian packages (dpkg's status file, or distroless-style status.d entries), npm packages and the app's. Pure. */
export function countEntries(listing: string, dpkgStatus: string): { files: number; debs: number; npm: number } {
  const lines = listing.split('\n').filter(Boolean);
  const files = lines.filter((l) => l.startsWith('-'));
  const names = files.map((l) => `/${l.split(/\s+/).slice(5).join(' ')}`);
  const statusD = names.filter((n) => /^\/+var\/lib\/dpkg\/status\.d\/[^/]+$/.test(n)).length;
  return {
    files: files.length,
    debs: (dpkgStatus.match(/^Package: /gm) ?? []).length + statusD,
    npm: names.filter((n) => PACKAGE_JSON.test(n)).length,
  };
}

async function facts(engine: Engine, img: ImageUnderTest): Promise<{ numbers: number[]; pid1: string }> {
  const container = await new RunScope(engine, newRunId(), img.tag).create({ name: 'files', network: 'none' });
  try {
    const listing = await tar(await container.export(), ['-tvf', '-']);
    const status = await container.getArchive({ path: '/var/lib/dpkg/status' }).then((s) => tar(s, ['-xOf', '-']), () => '');
    const c = countEntries(listing, status);
    const config = (await engine.docker.getImage(img.tag).inspect()).Config;
    // An image FROM scratch has no base to subtract.
    const [size, base] = [await imageSize(engine, img.tag), img.base === SCRATCH ? 0 : await imageSize(engine, img.base)];
    return { numbers: [(size ?? NaN) / 1e6, (base ?? NaN) / 1e6, c.files, c.debs, c.npm], pid1: [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])].join(' ') };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function goalRows(engine: Engine, subject: ImageUnderTest, anchor: ImageUnderTest, subjectMb: number, anchorMb: number): Promise<Row[]> {
  const [s, a] = [await gzippedSize(engine, subject.tag), await gzippedSize(engine, anchor.tag)];
  return [
    { metric: 'image size (uncompressed), against the goal', unit: 'MB', subject: summarize([subjectMb]), anchor: summarize([anchorMb]), target: { max: IMAGE_GOAL_MB, source: 'bench/targets.ts IMAGE_GOAL_MB' }, headline: true },
    { metric: 'image size (gzipped `docker save`)', unit: 'MB', subject: summarize([s / 1e6]), anchor: summarize([a / 1e6]), target: { max: IMAGE_GZIP_GOAL_MB, source: 'bench/targets.ts IMAGE_GZIP_GOAL_MB' }, headline: true },
  ];
}

/** One section per image in `subjects`, each beside the same anchor; only a subject with a size target is held to one. */
export async function measureImages(
  engine: Engine, subjects: readonly ImageUnderTest[], anchor: ImageUnderTest, log: (m: string) => void,
): Promise<Section[]> {
  const a = await retrying(engine, 'image facts', () => facts(engine, anchor), log);
  const sections: Section[] = [];
  for (const subject of subjects) {
    const s = await retrying(engine, 'image facts', () => facts(engine, subject), log);
    log(`image facts ${subject.party.label} ${s.numbers.join(' ')}, ${anchor.party.label} ${a.numbers.join(' ')}`);
    const metrics: [string, Row['unit'], Target?][] = [
      ['image size (uncompressed)', 'MB', subject.sizeTarget], ['runtime base image size', 'MB'], ['files', 'count'], ['Debian packages', 'count'], ['npm packages', 'count'],
    ];
    sections.push({
      title: `What the runtime ships: ${subject.party.label}`,
      subject: subject.party,
      anchor: anchor.party,
      params: { 'runs': 1, 'subject base': subject.base, 'anchor base': anchor.base },
      method: 'Sizes from `docker image inspect`; counts from the exported file system: regular files, packages in dpkg\'s database, package.json of each node_modules package.',
      rows: [
        ...metrics.map(([metric, unit, target], i): Row => ({
          metric,
          unit,
          subject: summarize([s.numbers[i]]),
          anchor: summarize([a.numbers[i]]),
          ...(target ? { target } : {}),
          ...(i === 0 && subject.sizeTarget ? { headline: true } : {}),
        })),
        ...(subject.goals ? await goalRows(engine, subject, anchor, s.numbers[0], a.numbers[0]) : []),
        { metric: 'PID 1 (entrypoint + CMD)', unit: 'code', subject: s.pid1, anchor: a.pid1 },
      ],
    });
  }
  return sections;
}
