import type { DataRecord } from '../record';
import type { SinkMetrics } from '../pipeline/run-metrics';

/** A destination for records. The runner calls `write` in order, then `finish` once, or `abort` on failure. */
export interface Sink {
  /** Counters of what was written; `name` identifies the sink in messages (e.g. `file:out/a.csv`). */
  readonly metrics: SinkMetrics;
  /** Takes one batch; resolves when the sink has accepted it, so a slow sink slows the source. */
  write(records: readonly DataRecord[]): Promise<void>;
  /** Flushes and makes the output visible (rename into place, complete the upload). */
  finish(): Promise<void>;
  /** Discards everything this run wrote. Never throws. */
  abort(reason: unknown): Promise<void>;
}
