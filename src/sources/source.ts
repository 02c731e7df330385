import type { Observable } from 'rxjs';
import type { Logger } from '../logger';
import type { RunMetrics } from '../pipeline/run-metrics';
import type { DataRecord } from '../record';
import type { RateBudgets } from './rate-gate';

/** Where a source stands after a page: told to the sinks' side with each `demand`. */
export interface PageMark {
  /** 1 for the first page read, 2 for the next… */
  readonly index: number;
  /** The page's URL, secrets redacted: names the page in messages about its records. */
  readonly url?: string;
  /** JSON from which the source can go on after this page (the next request); absent when it cannot resume. */
  readonly resume?: unknown;
}

/** What a run hands its source. */
export interface SourceContext {
  /**
   * Resolves when the sinks have taken what the source emitted so far. A source awaits it before
   * requesting its next page: RxJS has no backpressure, so this handshake is what keeps a fast API
   * from piling pages up in memory in front of a slow sink.
   */
  demand(mark?: PageMark): Promise<void>;
  readonly metrics: RunMetrics;
  readonly logger: Logger;
  /** A `PageMark.resume` of an earlier, unfinished run: start after that page instead of at the first. */
  readonly resumeFrom?: unknown;
  /** Rate-limit budgets shared per credential; a source makes its own when absent. */
  readonly budgets?: RateBudgets;
}

/** A source is a function returning the records of one run, lazily, as an Observable. */
export type Source = (context: SourceContext) => Observable<DataRecord>;
