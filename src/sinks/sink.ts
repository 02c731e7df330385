import type { SinkMetrics } from '../pipeline/run-metrics';
import type { DataRecord } from '../record';

/**
 * Where the records of one write came from, so that a sink can name a record in its errors:
 * `describe(3)` → `record 4 of page 3 (https://api.example.com/items?page=3)`.
 */
export interface BatchOrigin {
  describe(index: number): string;
}

/**
 * Where a sink stands at a checkpoint (`position`, as JSON), and when what it holds is durable:
 * writes go on as soon as the position is taken, while the bytes before it are still being made
 * durable (fsync'd, uploaded); the runner saves the checkpoint only once `durable` resolves.
 */
export interface SinkCheckpoint<Position = unknown> {
  readonly position: Position;
  /** Resolves once every byte before `position` is durable; rejects when it cannot be made so. */
  readonly durable: Promise<void>;
}

/**
 * A destination for records. The runner calls `open` once before the source's first request, then
 * `write` in order, then `finish` once, or `abort` on failure (also after a failed `open`).
 *
 * Sinks that can resume exactly (a run with `checkpoint:`) also have `checkpoint`, `resume` and
 * `suspend`: between writes the runner calls `checkpoint`, and writes again once it resolves; a later
 * process calls `resume` with its position in place of `open`, and goes on writing. The finished
 * outputs are byte for byte those of a run that never stopped. A sink without them (stdout) makes `checkpoint:` a configuration error.
 *
 * Every sink passes the shared contract suite in `test/contract/sink-contract.ts`.
 */
export interface Sink {
  /** Counters of what was written; `name` identifies the sink in messages (e.g. `file:out/a.csv`). */
  readonly metrics: SinkMetrics;
  /**
   * Checks that the outputs can be written (folder created and writable, path not a folder, S3 region
   * set and bucket reachable) and takes what writing needs. Nothing is visible at the output yet.
   */
  open(): Promise<void>;
  /** Takes one batch; resolves when the sink has accepted it, so a slow sink slows the source. */
  write(records: readonly DataRecord[], origin?: BatchOrigin): Promise<void>;
  /** Flushes and makes every output visible (rename into place, complete the upload). */
  finish(): Promise<void>;
  /** Discards everything this run wrote. Never throws. */
  abort(reason: unknown): Promise<void>;
  /** Takes where the sink stands after everything written so far; writes made once it resolves land after that position. */
  checkpoint?(): Promise<SinkCheckpoint>;
  /** In place of `open`, in another process: reopens at a `checkpoint` position; what was written after it is dropped, writes append. */
  resume?(position: unknown): Promise<void>;
  /** In place of `abort` when the run is to be resumed: stops, keeping what the last checkpoint holds. Never throws. */
  suspend?(): Promise<void>;
}
