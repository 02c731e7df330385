import type { KeyShape } from './dedup-memory';

/** An export through pageflow, as a pipeline file would describe it. */
export interface PageflowCase {
  readonly kind: 'pageflow';
  /** Base URL of the sample API. */
  readonly url: string;
  readonly perPage: number;
  readonly output: string;
  /** `source.concurrency`. @default 1 */
  readonly concurrency?: number;
  /** Dedup by a 128-bit hash of the key instead of the key itself. */
  readonly hashDedup?: boolean;
  /** Milliseconds the sink's store takes per chunk (a slow disk, a throttled upload); unset for a real file. */
  readonly slowSinkMs?: number;
}

/** The same export by the hand-written script. */
export interface BaselineCase {
  readonly kind: 'baseline';
  readonly url: string;
  readonly perPage: number;
  readonly output: string;
}

/** Bytes per key held by the dedup operator. */
export interface DedupMemoryCase {
  readonly kind: 'dedup-memory';
  readonly keys: number;
  readonly shape: KeyShape;
  readonly hash: boolean;
}

/** One measured run, described by the parent and executed in a child process of its own. */
export type BenchCase = PageflowCase | BaselineCase | DedupMemoryCase;

/** What a child reports back. */
export interface BenchResult {
  readonly records: number;
  readonly wallMs: number;
  /** Peak resident set size of the child process, from `process.resourceUsage().maxRSS`. */
  readonly peakRssMiB: number;
  /** Slow-sink runs: the most records the source had read beyond what the sink had stored. */
  readonly maxRecordsAhead?: number;
  /** Dedup memory runs: bytes held per distinct key. */
  readonly bytesPerKey?: number;
}
