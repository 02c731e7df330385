/** Live counters of one run: read by the progress line and the summary, written by sources, operators and sinks. */
export interface SinkMetrics {
  readonly name: string;
  records: number;
  bytes: number;
}

export interface StageMetrics {
  readonly name: string;
  in: number;
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

export class RunMetrics {
  readonly startedAt = Date.now();
  pages = 0;
  recordsRead = 0;
  duplicates = 0;
  retries = 0;
  throttled = 0;
  readonly stages: StageMetrics[] = [];
  readonly sinks: SinkMetrics[] = [];
  /** Set for incremental runs. */
  incremental?: IncrementalMetrics;

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}
