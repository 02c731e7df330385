import type { Observable } from 'rxjs';
import type { Logger } from '../logger';
import type { RunMetrics } from '../pipeline/run-metrics';
import type { DataRecord } from '../record';

/** What a run hands its source. */
export interface SourceContext {
  /**
   * Resolves when the sinks have taken what the source emitted so far. A source awaits it before
   * requesting its next page: RxJS has no backpressure, so this handshake is what keeps a fast API
   * from piling pages up in memory in front of a slow sink.
   */
  demand(): Promise<void>;
  readonly metrics: RunMetrics;
  readonly logger: Logger;
}

/** A source is a function returning the records of one run, lazily, as an Observable. */
export type Source = (context: SourceContext) => Observable<DataRecord>;
