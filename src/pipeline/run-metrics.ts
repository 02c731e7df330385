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

export class RunMetrics {
  readonly startedAt = Date.now();
  pages = 0;
  recordsRead = 0;
  duplicates = 0;
  retries = 0;
  throttled = 0;
  /** Pages whose body was not valid UTF-8 (the invalid bytes became U+FFFD). */
  invalidUtf8Pages = 0;
  readonly stages: StageMetrics[] = [];
  readonly sinks: SinkMetrics[] = [];

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}
