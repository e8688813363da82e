/** The results object: every figure and parameter docs/benchmarks.md prints. The measures fill it, report.ts renders it. */
import type { MixedLoadResult } from './mixed-load';
import type { Summary } from './stats';
import type { HeapFill } from '../packages/projen-container/src/verify';

/** Numbers in that unit, except `runs` (1/0 per run, printed `k/n`) and `code` (exit codes, printed as the distinct values). */
export type Unit = 'ms' | 's' | 'MB' | 'count' | 'req/s' | 'ratio' | 'runs' | 'code';

/** One side of a comparison: a column name and what it is. */
export interface Party { readonly label: string; readonly what: string }

/**
 * A threshold and where it is declared: `max`, `min` and `equals` bound
 * every sample of the subject; `ratioMax` and `ratioMin` bound the ratio of
 * the medians, subject ÷ anchor.
 */
export interface Target {
  readonly max?: number;
  readonly min?: number;
  readonly equals?: number;
  readonly ratioMax?: number;
  readonly ratioMin?: number;
  readonly source: string;
}

/** Text for facts that are not numbers (PID 1). */
export type Cell = Summary | string;

export interface Row {
  readonly metric: string;
  readonly unit: Unit;
  readonly subject: Cell;
  readonly anchor: Cell;
  readonly target?: Target;
  /** Quoted in the headline table. */
  readonly headline?: boolean;
}

/** Subject and anchor, measured side by side in the same run. */
export interface Section {
  readonly title: string;
  readonly subject: Party;
  readonly anchor: Party;
  readonly params: Readonly<Record<string, string | number>>;
  /** How it was measured, without restating a parameter. */
  readonly method: string;
  readonly rows: readonly Row[];
  readonly notes?: readonly string[];
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly docker: string;
  readonly node: string;
  readonly nodeInImages: string;
  /** 1-minute load average at the start and the end of the run. */
  readonly load: readonly [number, number];
}

export interface BenchResults {
  readonly date: string;
  readonly revision: string;
  readonly durationMin: number;
  readonly machine: MachineInfo;
  /** The spec the facts and thresholds came from. */
  readonly spec: string;
  readonly sections: readonly Section[];
  readonly notes: readonly string[];
}

/** One reading of the soaked container's memory, `atS` seconds into the load. */
export interface SoakSample {
  readonly atS: number;
  /** The process's resident set (prom-client's `process_resident_memory_bytes`), in MiB; none when the scrape failed. */
  readonly rssMiB?: number;
  /** V8's heap in use (`nodejs_heap_size_used_bytes`), in MiB; none when the scrape failed. */
  readonly heapUsedMiB?: number;
  /** The container's memory usage less inactive file pages, as `docker stats` and the kubelet count it, in MiB. */
  readonly workingSetMiB?: number;
}

/** How the soaked container ended. */
export interface SoakEnd {
  readonly oomKilled: boolean;
  /** Still running once the load ended; an exit before is a crash, whatever its code. */
  readonly running: boolean;
  readonly exitCode: number;
}

/** The results docs/soak.md renders: one worker with the production pod's settings under mixed load. */
export interface SoakResults {
  readonly date: string;
  readonly revision: string;
  readonly machine: MachineInfo;
  readonly image: string;
  /** Where the settings came from: the pod check's kustomization and container. */
  readonly pod: string;
  readonly memoryLimitMiB: number;
  /** The pod's `NODE_OPTIONS`, as the Deployment sets it. */
  readonly nodeOptions: string;
  /** A node filling its heap under that env and limit, before the soak: V8's limit, and what stopped it. */
  readonly heapFill: HeapFill;
  readonly params: Readonly<Record<string, string | number>>;
  readonly durationS: number;
  /** The samples before it show the start; the first one at or after it is "after warm-up". */
  readonly warmupS: number;
  readonly samples: readonly SoakSample[];
  readonly load: MixedLoadResult;
  readonly end: SoakEnd;
}
