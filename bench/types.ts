/** Shapes of the measured results, shared by the measures and the report. */
import type { Summary } from './stats';

/** Which image a figure belongs to. */
export type Subject = 'ours' | 'baseline';

export interface SizeResult {
  readonly image: number;
  readonly base: number;
  readonly baseImage: string;
  /** image - base. */
  readonly payload: number;
}

export interface NeededBytes {
  /** Production node_modules closure (no devDependencies). */
  readonly nodeModules: number;
  /** Compiled `lib/`. */
  readonly lib: number;
  /** Runtime assets (config, prompts, package.json). */
  readonly assets: number;
  /** The node binary (part of ours' payload, part of the baseline's base). */
  readonly nodeBinary: number;
  /** Where the production closure was measured, for the report. */
  readonly source: string;
}

export interface BuildResult {
  readonly cold: Summary;
  readonly warm: Summary;
  /** warm/cold per run. */
  readonly ratio: Summary;
  /** Per warm build: were all dependency-install steps CACHED? */
  readonly depsCached: readonly boolean[];
  /** The dependency-install steps seen in the last warm build, with their status. */
  readonly depsSteps: readonly { readonly name: string; readonly cached: boolean }[];
  /** The longest steps of the last warm rebuild (where its time goes). */
  readonly warmSlowest: readonly { readonly name: string; readonly seconds: number }[];
  /** The image's watched step (ImageDef.watch) over its warm rebuilds, when it has one. */
  readonly watched?: WatchedStep;
}

export interface WatchedStep {
  /** As BuildKit names it, e.g. `[build 8/8] RUN npm prune ...`. */
  readonly name: string;
  /** Warm rebuilds in which it ran (not CACHED) ... */
  readonly ran: number;
  /** ... out of this many. */
  readonly of: number;
  /** Its `DONE` seconds when it ran. */
  readonly seconds: Summary;
}

/** One design-choice image (ours or a variant of bench/variants.ts), measured side by side. */
export interface DesignImage {
  /** What differs from ours (markdown; `—` for ours). */
  readonly change: string;
  readonly size: SizeResult;
  /** File bytes of the app's node_modules. */
  readonly nodeModules: number;
  /** `npm --version` / `npx --version` in the image; null when absent. */
  readonly npm: string | null;
  readonly npx: string | null;
  /** Did a container of it answer 200 on the health path (null: not checked)? */
  readonly healthy: boolean | null;
  /** Its own builds; absent for ours (its builds are the Build table's). */
  readonly build?: BuildResult;
}

export interface DesignResults {
  /** Cold builds per variant, and warm rebuilds after each. */
  readonly runs: number;
  readonly warmPerRun: number;
  readonly ours: DesignImage;
  readonly prune: DesignImage;
  readonly keepNpm: DesignImage;
}

export interface StartStopResult {
  readonly start: Summary;
  readonly stop: Summary;
  readonly exitCodes: readonly number[];
  /** PID 1's command line in the container, e.g. `/bin/sh -c node lib/index.js`. */
  readonly pid1: string;
}

export interface ThroughputRun {
  readonly reqPerSec: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
  readonly total: number;
}

export interface ThroughputResult {
  readonly reqPerSec: Summary;
  readonly p99: Summary;
  /** errors (timeouts included) + non-2xx responses, over all runs. */
  readonly errors: number;
  readonly runs: readonly ThroughputRun[];
}

export interface ToolingResult {
  readonly synth: Summary | null;
  readonly verify: Summary | null;
  readonly verifyNote: string;
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly docker: string;
  readonly node: string;
  readonly nodeInImages: string;
}

export interface BenchResults {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly runs: { readonly builds: number; readonly startStop: number; readonly throughput: number };
  readonly size: Record<Subject, SizeResult>;
  readonly needed: NeededBytes;
  /** File bytes per top-level entry of each image's app dir. */
  readonly breakdown: Record<Subject, Record<string, number>>;
  /** Facts from .projen/container.json used by the report. */
  readonly spec: { readonly sizeBudgetMb: number | null; readonly workers: number; readonly healthPath: string; readonly source: string };
  readonly build: Record<Subject, BuildResult>;
  readonly startStop: Record<Subject, StartStopResult>;
  readonly throughput: { readonly ours: ThroughputResult; readonly bare: ThroughputResult; readonly workers: number };
  readonly tooling: ToolingResult;
  /** Design choices of the container issue (absent in results from before they were measured). */
  readonly design?: DesignResults;
  readonly durationMs: number;
  readonly notes: readonly string[];
}
