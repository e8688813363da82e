/**
 * Pure formatting of {@link BenchResults} into docs/benchmarks.md. No I/O:
 * everything here is a function of its arguments.
 */
import type { Summary } from './stats';
import type { BenchResults, BuildResult, DesignImage, DesignResults, StartStopResult, ThroughputResult } from './types';

/** The targets of issue 5. */
export const TARGETS = {
  /** payload ≤ 1.05 × needed. */
  payloadOverNeeded: 1.05,
  /** warm rebuild ≤ 0.15 × cold build. */
  warmOverCold: 0.15,
  /** `docker stop` ≤ 1000 ms ... */
  stopMs: 1000,
  /** ... with exit code 0. */
  stopExitCode: 0,
} as const;

export type Met = 'yes' | 'no' | 'n/a';

export interface Row {
  readonly metric: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: Met;
}

export interface Section {
  readonly title: string;
  /** Header of the "baseline" column for this section. */
  readonly versus: string;
  readonly rows: readonly Row[];
}

/** Bytes as decimal MB (10^6, like `docker images`). */
export function mb(bytes: number, digits = 1): string {
  return `${(bytes / 1e6).toFixed(digits)} MB`;
}

/** Bytes as MB, or kB below 0.1 MB (for the small entries of the breakdown). */
export function size(bytes: number): string {
  return bytes >= 1e5 ? mb(bytes, 2) : `${(bytes / 1e3).toFixed(1)} kB`;
}

export function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

/** `median unit (min–max, n=N)`; the range is left out for a single sample. */
export function stat(s: Summary | null | undefined, scale: number, digits: number, unit: string): string {
  if (!s || s.n === 0) return 'n/a';
  const f = (v: number) => fixed(v * scale, digits);
  const u = unit ? ` ${unit}` : '';
  return s.n === 1 ? `${f(s.median)}${u}` : `${f(s.median)}${u} (${f(s.min)}–${f(s.max)})`;
}

/** `a / b` as `0.42×`, or n/a. */
export function ratio(a: number | null | undefined, b: number | null | undefined, digits = 2): string {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  return `${(a / b).toFixed(digits)}×`;
}

export function met(ok: boolean | null): Met {
  return ok === null ? 'n/a' : ok ? 'yes' : 'no';
}

/** Markdown-escapes a table cell. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderTable(section: Section): string {
  const head = `| ${section.title} | ours | ${section.versus} | ratio | target | met? |`;
  const sep = '| --- | ---: | ---: | ---: | --- | :---: |';
  const body = section.rows.map((r) => `| ${[r.metric, r.ours, r.baseline, r.ratio, r.target, r.met].map(cell).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}

function depsCell(b: BuildResult): string {
  const runs = b.depsCached.length;
  const cachedRuns = b.depsCached.filter(Boolean).length;
  if (b.depsSteps.length === 0) return 'no npm step found';
  return `${cachedRuns}/${runs} runs, ${b.depsSteps.length} npm step${b.depsSteps.length > 1 ? 's' : ''} CACHED`;
}

function exitCell(s: StartStopResult): string {
  const codes = [...new Set(s.exitCodes)];
  return codes.length === 1 ? String(codes[0]) : s.exitCodes.join(',');
}

function errorsCell(t: ThroughputResult): string {
  const total = t.runs.reduce((n, r) => n + r.total, 0);
  return `${t.errors} / ${total}`;
}

/** The rows of every section, from the results. Pure. */
export function sections(r: BenchResults): Section[] {
  const o = r.size.ours;
  const b = r.size.baseline;
  const appNeeded = r.needed.nodeModules + r.needed.lib + r.needed.assets;
  const oursNeeded = appNeeded + r.needed.nodeBinary;
  const budget = r.spec.sizeBudgetMb;
  const oursRatio = o.payload / oursNeeded;
  const baseRatio = b.payload / appNeeded;

  const image: Section = {
    title: 'Image',
    versus: 'baseline (docker init)',
    rows: [
      {
        metric: 'image size',
        ours: mb(o.image),
        baseline: mb(b.image),
        ratio: ratio(o.image, b.image),
        target: budget ? `≤ ${budget} MB (spec budget)` : '—',
        met: budget ? met(o.image <= budget * 1e6) : 'n/a',
      },
      {
        metric: 'base image',
        ours: `${o.baseImage} ${mb(o.base)}`,
        baseline: `${b.baseImage} ${mb(b.base)}`,
        ratio: ratio(o.base, b.base),
        target: '—',
        met: 'n/a',
      },
      {
        metric: 'payload (image − base)',
        ours: mb(o.payload),
        baseline: mb(b.payload),
        ratio: ratio(o.payload, b.payload),
        target: '—',
        met: 'n/a',
      },
      {
        metric: 'needed: app (prod node_modules + lib + assets)',
        ours: mb(appNeeded),
        baseline: mb(appNeeded),
        ratio: '1.00×',
        target: '—',
        met: 'n/a',
      },
      {
        metric: 'needed: + node binary (ours only: our base has no node)',
        ours: mb(oursNeeded),
        baseline: `${mb(appNeeded)} (node is in its base)`,
        ratio: ratio(oursNeeded, appNeeded),
        target: '—',
        met: 'n/a',
      },
      {
        metric: 'payload ÷ needed',
        ours: `${fixed(oursRatio, 3)}× (÷ app + node)`,
        baseline: `${fixed(baseRatio, 2)}× (÷ app)`,
        ratio: ratio(oursRatio, baseRatio),
        target: `≤ ${TARGETS.payloadOverNeeded}×`,
        met: met(oursRatio <= TARGETS.payloadOverNeeded),
      },
      {
        metric: 'payload ÷ needed without counting node',
        ours: `${fixed(o.payload / appNeeded, 2)}×`,
        baseline: `${fixed(baseRatio, 2)}×`,
        ratio: ratio(o.payload / appNeeded, baseRatio),
        target: 'info',
        met: 'n/a',
      },
      {
        metric: 'waste (payload − needed)',
        ours: size(o.payload - oursNeeded),
        baseline: size(b.payload - appNeeded),
        ratio: ratio(o.payload - oursNeeded, b.payload - appNeeded),
        target: `≤ ${mb((TARGETS.payloadOverNeeded - 1) * oursNeeded)}`,
        met: met(o.payload - oursNeeded <= (TARGETS.payloadOverNeeded - 1) * oursNeeded),
      },
    ],
  };

  const bo = r.build.ours;
  const bb = r.build.baseline;
  const build: Section = {
    title: `Build (median of ${r.runs.builds}, min–max)`,
    versus: 'baseline (docker init)',
    rows: [
      {
        metric: 'cold build (`--no-cache`, build cache pruned)',
        ours: stat(bo.cold, 1e-3, 1, 's'),
        baseline: stat(bb.cold, 1e-3, 1, 's'),
        ratio: ratio(bo.cold.median, bb.cold.median),
        target: '—',
        met: 'n/a',
      },
      {
        metric: 'warm rebuild (one-line change in src/)',
        ours: stat(bo.warm, 1e-3, 1, 's'),
        baseline: stat(bb.warm, 1e-3, 1, 's'),
        ratio: ratio(bo.warm.median, bb.warm.median),
        target: '—',
        met: 'n/a',
      },
      {
        metric: 'warm ÷ cold',
        ours: stat(bo.ratio, 1, 3, ''),
        baseline: stat(bb.ratio, 1, 3, ''),
        ratio: ratio(bo.ratio.median, bb.ratio.median),
        target: `≤ ${TARGETS.warmOverCold}`,
        met: met(bo.ratio.median <= TARGETS.warmOverCold),
      },
      {
        metric: 'dependency install reused on warm rebuild',
        ours: depsCell(bo),
        baseline: depsCell(bb),
        ratio: '—',
        target: 'CACHED every run',
        met: met(bo.depsCached.length > 0 && bo.depsCached.every(Boolean)),
      },
    ],
  };

  const so = r.startStop.ours;
  const sb = r.startStop.baseline;
  const startStop: Section = {
    title: `Start and stop (median of ${r.runs.startStop}, min–max)`,
    versus: 'baseline (docker init)',
    rows: [
      {
        metric: '`docker run` to first 200 on ' + r.spec.healthPath,
        ours: stat(so.start, 1, 0, 'ms'),
        baseline: stat(sb.start, 1, 0, 'ms'),
        ratio: ratio(so.start.median, sb.start.median),
        target: '—',
        met: 'n/a',
      },
      {
        metric: '`docker stop` duration',
        ours: stat(so.stop, 1, 0, 'ms'),
        baseline: stat(sb.stop, 1, 0, 'ms'),
        ratio: ratio(so.stop.median, sb.stop.median),
        target: `≤ ${TARGETS.stopMs} ms`,
        met: met(so.stop.median <= TARGETS.stopMs && so.stop.max <= TARGETS.stopMs),
      },
      {
        metric: 'exit code after `docker stop`',
        ours: exitCell(so),
        baseline: exitCell(sb),
        ratio: '—',
        target: String(TARGETS.stopExitCode),
        met: met(so.exitCodes.length > 0 && so.exitCodes.every((c) => c === TARGETS.stopExitCode)),
      },
      {
        metric: 'PID 1 in the container',
        ours: `\`${so.pid1}\``,
        baseline: `\`${sb.pid1}\``,
        ratio: '—',
        target: 'node',
        met: 'n/a',
      },
    ],
  };

  const to = r.throughput.ours;
  const tb = r.throughput.bare;
  const throughput: Section = {
    title: `GET ${r.spec.healthPath}, 50 connections × 10 s (median of ${r.runs.throughput}, min–max)`,
    versus: 'bare node:http (1 process)',
    rows: [
      {
        metric: `requests/s (ours: ${r.throughput.workers} workers)`,
        ours: stat(to.reqPerSec, 1, 0, ''),
        baseline: stat(tb.reqPerSec, 1, 0, ''),
        ratio: ratio(to.reqPerSec.median, tb.reqPerSec.median),
        target: 'report',
        met: 'n/a',
      },
      {
        metric: 'p99 latency',
        ours: stat(to.p99, 1, 0, 'ms'),
        baseline: stat(tb.p99, 1, 0, 'ms'),
        ratio: ratio(to.p99.median, tb.p99.median),
        target: 'report',
        met: 'n/a',
      },
      {
        metric: 'errors + non-2xx / requests',
        ours: errorsCell(to),
        baseline: errorsCell(tb),
        ratio: '—',
        target: '0',
        met: met(to.errors === 0),
      },
    ],
  };

  const t = r.tooling;
  const tooling: Section = {
    title: `Tooling (median of ${r.runs.builds}, min–max)`,
    versus: 'baseline',
    rows: [
      { metric: '`npx projen` (synth)', ours: stat(t.synth, 1e-3, 1, 's'), baseline: 'n/a', ratio: '—', target: 'report', met: 'n/a' },
      { metric: '`docker:verify`, warm', ours: t.verify ? stat(t.verify, 1e-3, 1, 's') : 'n/a', baseline: 'n/a', ratio: '—', target: 'report', met: 'n/a' },
    ],
  };
  return [image, build, startStop, throughput, tooling];
}

/** Targets with a verdict: `[met, total]`. Pure. */
export function tally(secs: readonly Section[]): [number, number] {
  const judged = secs.flatMap((s) => s.rows).filter((r) => r.met !== 'n/a');
  return [judged.filter((r) => r.met === 'yes').length, judged.length];
}

export function machineLine(r: BenchResults): string {
  const m = r.machine;
  return `${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB memory; Docker ${m.docker}; `
    + `Node ${m.node} on the host, ${m.nodeInImages} in the images`;
}

function breakdownTable(r: BenchResults): string {
  const keys = [...new Set([...Object.keys(r.breakdown.ours), ...Object.keys(r.breakdown.baseline)])]
    .sort((a, b) => (r.breakdown.baseline[b] ?? r.breakdown.ours[b] ?? 0) - (r.breakdown.baseline[a] ?? r.breakdown.ours[a] ?? 0));
  const rows = keys.map((k) => `| \`${k}\` | ${k in r.breakdown.ours ? size(r.breakdown.ours[k]) : '—'} | ${k in r.breakdown.baseline ? size(r.breakdown.baseline[k]) : '—'} |`);
  return ['| app dir entry (file bytes) | ours | baseline |', '| --- | ---: | ---: |', ...rows].join('\n');
}

function samples(label: string, s: Summary | null | undefined, scale: number, digits: number): string {
  if (!s || s.n === 0) return `- ${label}: n/a`;
  return `- ${label}: ${s.samples.map((v) => fixed(v * scale, digits)).join(', ')}`;
}

/** `+1.2 MB` / `−0.3 s`: a signed difference. Pure. */
export function signed(v: number, digits: number, unit: string): string {
  return `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(digits)} ${unit}`;
}

function npmCell(d: DesignImage): string {
  if (!d.npm && !d.npx) return 'no';
  return `yes: ${[d.npm ? `npm ${d.npm}` : '', d.npx ? `npx ${d.npx}` : ''].filter(Boolean).join(', ')}`;
}

/**
 * Verdict on `npm prune` in the build stage vs ours' `deps` stage, from the
 * numbers: does prune re-run on a code edit, what it costs, and the size. Pure.
 */
export function pruneVerdict(oursImage: DesignImage, oursBuild: BuildResult, prune: DesignImage): string {
  if (prune.healthy === false) return 'not comparable: the variant did not answer 200 on the health path';
  const b = prune.build;
  const w = b?.watched;
  const dSize = prune.size.image - oursImage.size.image;
  const sizeText = Math.abs(dSize) < 1e6
    ? `same size (${signed(dSize / 1e6, 2, 'MB')})`
    : `image ${signed(dSize / 1e6, 1, 'MB')} (node_modules ${mb(prune.nodeModules)} vs ours ${mb(oursImage.nodeModules)})`;
  if (!b || !w || w.of === 0) return `no warm rebuild measured; ${sizeText}`;
  const dWarm = (b.warm.median - oursBuild.warm.median) / 1000;
  const noise = Math.abs(dWarm) < 0.5 || (w.ran > 0 && Math.abs(dWarm) < w.seconds.median / 2);
  const warmText = `warm rebuild ${signed(dWarm, 1, 's')} vs ours${noise ? ' (within noise here)' : ''}`;
  if (w.ran === w.of) {
    return `**deps stage kept**: \`npm prune\` re-ran on ${w.ran}/${w.of} code edits (${fixed(w.seconds.median, 1)} s each), `
      + `ours re-ran no npm step; ${warmText}; ${sizeText}`;
  }
  return `\`npm prune\` re-ran on ${w.ran}/${w.of} code edits only; ${warmText}; ${sizeText}; deps stage kept (it never depends on src/)`;
}

/** Verdict on `keepNpm: true` (the node image as runtime) vs ours (node copied onto the smaller base). Pure. */
export function keepNpmVerdict(oursImage: DesignImage, keep: DesignImage): string {
  if (keep.healthy === false) return 'not comparable: the variant did not answer 200 on the health path';
  const dSize = keep.size.image - oursImage.size.image;
  const tools = npmCell(keep) === 'no' ? 'no npm either' : 'npm and npx, which the app never runs (CMD is node itself)';
  if (dSize <= 0) return `keepNpm is not larger here (${signed(dSize / 1e6, 1, 'MB')}); it ships ${tools}`;
  return `**default (no npm) kept**: ${signed(dSize / 1e6, 1, 'MB')} (${ratio(keep.size.image, oursImage.size.image)} ours) `
    + `for ${tools}: more bytes to pull and scan, and a package manager in production`;
}

function warmCell(b: BuildResult | undefined, vs?: BuildResult): string {
  if (!b) return 'n/a';
  const parts = [stat(b.warm, 1e-3, 1, 's') + (vs ? ` (${ratio(b.warm.median, vs.warm.median)} ours)` : ''), `÷ cold ${stat(b.ratio, 1, 3, '')}`];
  if (b.watched) parts.push(`\`npm prune\` ran ${b.watched.ran}/${b.watched.of}${b.watched.ran ? `, ${fixed(b.watched.seconds.median, 1)} s` : ''}`);
  const cachedRuns = b.depsCached.filter(Boolean).length;
  parts.push(`npm ci CACHED ${cachedRuns}/${b.depsCached.length}`);
  return parts.join('; ');
}

/** The "Design choices" table and its explanation. Pure. */
export function designSection(r: BenchResults, d: DesignResults): string[] {
  const o = d.ours;
  const ob = r.build.ours;
  const sizeCell = (x: DesignImage) => `${mb(x.size.image)}${x === o ? '' : ` (${ratio(x.size.image, o.size.image)} ours)`}`;
  const payloadCell = (x: DesignImage) => `${mb(x.size.payload)} on \`${x.size.baseImage}\``;
  const row = (name: string, x: DesignImage, warm: string, verdict: string) =>
    `| ${[name, sizeCell(x), payloadCell(x), warm, npmCell(x), verdict].map(cell).join(' | ')} |`;
  const n = d.runs * d.warmPerRun;
  return [
    '## Design choices',
    '',
    `The two choices the container issue asks to measure. Ours' row is the Build table's (median of ${r.runs.builds});`,
    `each variant was built the same way right after it: ${d.runs} cold build${d.runs > 1 ? 's' : ''} (cache pruned) then`,
    `${d.warmPerRun} warm rebuild${d.warmPerRun > 1 ? 's' : ''} after a one-line change in \`src/\` (n = ${n}; fewer runs than ours, to keep the`,
    'bench short: the image sizes and which steps re-ran are exact, the warm times are as noisy as the machine).',
    '',
    '| variant | image size | payload (image − base) | warm rebuild | npm in image | verdict |',
    '| --- | ---: | ---: | --- | --- | --- |',
    row('**ours**: `deps` stage (`npm ci --omit=dev --omit=optional --ignore-scripts` from the manifests); node binary on `debian:trixie-slim`',
      o, warmCell(ob), 'chosen (both defaults)'),
    row(`**prune**: ${d.prune.change}`, d.prune, warmCell(d.prune.build, ob), pruneVerdict(o, ob, d.prune)),
    row(`**keepNpm**: ${d.keepNpm.change}`, d.keepNpm, warmCell(d.keepNpm.build, ob), keepNpmVerdict(o, d.keepNpm)),
    '',
    '- The variants are rendered from the construct\'s own model (`dockerfileModel` + `renderDockerfile` of',
    '  `projenrc/container/`), from a recipe that is first checked to re-render the committed `Dockerfile` byte for byte;',
    '  keepNpm is the existing `keepNpm: true` option, prune is one explicit transformation in `bench/variants.ts`.',
    `- Health: prune ${healthText(d.prune)}, keepNpm ${healthText(d.keepNpm)} (one \`docker run\` each);`,
    '  ours is the start/stop table\'s image.',
    `- node_modules file bytes: ours ${size(o.nodeModules)}, prune ${size(d.prune.nodeModules)}, keepNpm ${size(d.keepNpm.nodeModules)}.`,
    '',
  ];
}

function healthText(x: DesignImage): string {
  return x.healthy === null ? 'not checked' : x.healthy ? 'answered 200' : '**did not answer 200**';
}

/** The whole docs/benchmarks.md. Pure. */
export function renderReport(r: BenchResults): string {
  const secs = sections(r);
  const [ok, judged] = tally(secs);
  const n = r.needed;
  const lines = [
    '<!-- Generated by `npx projen bench` (bench/run.ts). Do not edit by hand: rerun it. -->',
    '# Benchmarks',
    '',
    `Measured ${r.date} in one run of \`npx projen bench\` (${fixed(r.durationMs / 60_000, 1)} min), ours beside the baseline, side by side.`,
    '',
    `**Machine:** ${machineLine(r)}.`,
    '',
    `**Targets met: ${ok} of ${judged}.** The "met?" column judges ours only. Ratios are ours ÷ baseline.`,
    'The machine is shared and noisy: read the ratios, not the absolute figures.',
    '',
    '- **ours**: the repo\'s `Dockerfile` (synthesized by `projenrc/container/`): build and deps stages on',
    '  `node:24-trixie-slim`, runtime = the node binary copied onto `debian:trixie-slim`, non-root, exec-form CMD.',
    '- **baseline**: `bench/baseline.Dockerfile`, the same app written the way `docker init` writes a Node',
    '  Dockerfile: one stage on the same `node:24-trixie-slim`, shell-form CMD, no HEALTHCHECK.',
    '- **bare**: `bench/bare-health/`, a bare `node:http` server answering the same JSON on the same path, same base.',
    '',
    ...secs.flatMap((s) => [renderTable(s), '']),
    ...(r.design ? designSection(r, r.design) : []),
    '## How to read it',
    '',
    `- **Needed** is counted in file bytes (find(1), no directory entries): production dependency closure ${mb(n.nodeModules)}`
      + ` (${n.source}), compiled \`lib/\` ${mb(n.lib, 2)}, assets and package.json ${mb(n.assets, 2)}; node binary ${mb(n.nodeBinary)}.`,
    '- Our base (`debian:trixie-slim`) has no Node, so the node binary is part of our payload; the baseline gets it from',
    '  its base image. "payload ÷ needed" is therefore computed against app + node for ours and against app alone for the',
    '  baseline, and the row "without counting node" shows ours against app alone too (it cannot be ≤ 1.05 there).',
    '- Image size is Docker\'s uncompressed size (sum of layers): it includes file-system metadata and any file a layer',
    '  rewrote, so even an image that adds only what is needed carries a small overhead over the file bytes.',
    '- **Cold** builds run after `docker builder prune -af`, with `--no-cache`: the BuildKit cache mounts (`/root/.npm`)',
    '  are pruned too, so cold includes downloading every package from the npm registry (network noise is part of it).',
    '  Base images are local and not re-pulled. The **warm** rebuild follows immediately, after appending a comment line',
    '  to `src/index.ts` in a temporary copy of the build context (the repo\'s `src/` is never touched).',
    '  "Dependency install reused" parses BuildKit\'s `--progress=plain` output for `CACHED` on every `npm ci` step.',
    '- **Start** is wall time from `docker run -d` (so it includes container creation) to the first 200 on the health path,',
    '  polled every 10 ms over loopback. **Stop** is wall time of `docker stop` (10 s grace, then SIGKILL = exit 137).',
    '- **Throughput**: autocannon (programmatic) in the bench process, on the same 2 cores as the server, after a short',
    '  warm-up; the containers use host networking, loopback only. The comparison is deliberately unfair to ours: ours is',
    '  fastify behind a cluster primary that hands connections to 2 workers, and it writes one JSON log line per request',
    '  (`onResponse` hook in src/app.ts, /health included) to stdout, i.e. through Docker\'s log driver; the bare server is',
    '  one process that logs nothing. With autocannon on the same 2 cores, the 2 workers add little. The ratio is the',
    '  price of the framework, the logging and the process model on this path, not a target.',
    '',
    '### Where the bytes of each app dir go',
    '',
    breakdownTable(r),
    '',
    ...(r.notes.length ? ['### Notes from this run', '', ...r.notes.map((x) => `- ${x}`), ''] : []),
    '<details><summary>Raw samples</summary>',
    '',
    samples('cold build ours (s)', r.build.ours.cold, 1e-3, 1),
    samples('cold build baseline (s)', r.build.baseline.cold, 1e-3, 1),
    samples('warm rebuild ours (s)', r.build.ours.warm, 1e-3, 1),
    samples('warm rebuild baseline (s)', r.build.baseline.warm, 1e-3, 1),
    ...r.build.ours.depsSteps.map((s) => `- ours dependency step: \`${s.name.slice(0, 140)}\` ${s.cached ? 'CACHED' : 'RAN'}`),
    ...r.build.baseline.depsSteps.map((s) => `- baseline dependency step: \`${s.name.slice(0, 140)}\` ${s.cached ? 'CACHED' : 'RAN'}`),
    ...(['ours', 'baseline'] as const).flatMap((k) => r.build[k].warmSlowest.map(
      (s) => `- ${k} warm rebuild, slow step: \`${s.name.slice(0, 100)}\` ${fixed(s.seconds, 1)} s`)),
    samples('start ours (ms)', r.startStop.ours.start, 1, 0),
    samples('start baseline (ms)', r.startStop.baseline.start, 1, 0),
    samples('stop ours (ms)', r.startStop.ours.stop, 1, 0),
    samples('stop baseline (ms)', r.startStop.baseline.stop, 1, 0),
    `- exit codes ours: ${r.startStop.ours.exitCodes.join(', ')}; baseline: ${r.startStop.baseline.exitCodes.join(', ')}`,
    samples('req/s ours', r.throughput.ours.reqPerSec, 1, 0),
    samples('req/s bare', r.throughput.bare.reqPerSec, 1, 0),
    samples('p99 ours (ms)', r.throughput.ours.p99, 1, 0),
    samples('p99 bare (ms)', r.throughput.bare.p99, 1, 0),
    samples('projen synth (s)', r.tooling.synth, 1e-3, 1),
    samples('docker:verify (s)', r.tooling.verify, 1e-3, 1),
    `- docker:verify: ${r.tooling.verifyNote}`,
    ...(r.design ? (['prune', 'keepNpm'] as const).flatMap((k) => {
      const b = r.design![k].build;
      if (!b) return [];
      return [
        samples(`cold build ${k} (s)`, b.cold, 1e-3, 1),
        samples(`warm rebuild ${k} (s)`, b.warm, 1e-3, 1),
        ...(b.watched ? [`- ${k} watched step: \`${b.watched.name.slice(0, 100)}\` ran ${b.watched.ran}/${b.watched.of}`
          + (b.watched.ran ? `, ${b.watched.seconds.samples.map((v) => fixed(v, 1)).join(', ')} s` : '')] : []),
        ...b.warmSlowest.map((s) => `- ${k} warm rebuild, slow step: \`${s.name.slice(0, 100)}\` ${fixed(s.seconds, 1)} s`),
      ];
    }) : []),
    '',
    '</details>',
    '',
  ];
  return lines.join('\n');
}
