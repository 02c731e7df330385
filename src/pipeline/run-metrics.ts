/** One file or object a sink wrote. */
export interface OutputMetrics {
  /** The path or `s3://bucket/key`. */
  readonly name: string;
  records: number;
  /** Bytes written to it (compressed bytes for `.gz`). */
  bytes: number;
}

/** Live counters of one run: read by the progress line and the summary, written by sources, operators and sinks. */
export interface SinkMetrics {
  readonly name: string;
  records: number;
  /** Bytes written, over every output (compressed bytes for `.gz`). */
  bytes: number;
  /** Every output the sink wrote, in the order they were started. */
  outputs?: OutputMetrics[];
  /** Values of fields outside the CSV/Parquet columns, dropped as `unknownColumns: drop` allows. */
  droppedValues?: number;
  /** Parquet values that did not fit their column's type, written as null as `onTypeMismatch: null` allows. */
  mismatchedValues?: number;
}

export interface StageMetrics {
  readonly name: string;
  readonly in: number;
  out: number;
}

/** Where an incremental run's cursor started and, once the run's state is saved, where it ended. */
export interface IncrementalMetrics {
  readonly field: string;
  /** The cursor the run started from; absent on a first run. */
  readonly from?: string;
  /** The cursor saved after the run; absent while it has not moved (a failed, `--limit` or dry run). */
  to?: string;
  /** Records dropped as exported by an earlier run. */
  skipped: number;
}

/** Where a resumed run took over: the run it resumed, and the first page it requested. */
export interface ResumedMetrics {
  readonly runId: string;
  readonly fromPage: number;
}

export class RunMetrics {
  readonly startedAt = Date.now();
  pages = 0;
  recordsRead = 0;
  duplicates = 0;
  retries = 0;
  throttled = 0;
  /** Records the transforms rejected to the `rejects:` sink. */
  rejects = 0;
  /** Pages whose body was not valid UTF-8 (the invalid bytes became U+FFFD). */
  invalidUtf8Pages = 0;
  /** Child fetches of `request` steps (one per parent record) and the pages they read. */
  childRequests = 0;
  childPages = 0;
  readonly stages: StageMetrics[] = [];
  readonly sinks: SinkMetrics[] = [];
  /** Set for incremental runs. */
  incremental?: IncrementalMetrics;
  /** Set for a run that resumed an unfinished one from its checkpoint. */
  resumed?: ResumedMetrics;

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}
