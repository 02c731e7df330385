import { type Observable, type OperatorFunction, type Subscription, take } from 'rxjs';
import { InterruptedError } from '../errors/interrupted-error';
import { type Logger, silentLogger } from '../logger';
import type { DataRecord } from '../record';
import type { Sink } from '../sinks/sink';
import type { RateBudgets } from '../sources/rate-gate';
import type { Source } from '../sources/source';
import { RunMetrics } from './run-metrics';
import { SinkStage } from './sink-stage';

export interface RunOptions {
  readonly source: Source;
  /** Applied in order, like `.pipe(...)`: built-in operators or any RxJS operator on records. */
  readonly operators?: readonly OperatorFunction<DataRecord, DataRecord>[];
  readonly sinks: readonly Sink[];
  /** Stop after this many records (after the operators); the sinks still get complete files. */
  readonly limit?: number;
  /** Aborting stops fetching and rolls the sinks back. A signal name as reason (`'SIGINT'`) sets the exit code. */
  readonly signal?: AbortSignal;
  /** Records per sink write. @default 1000 */
  readonly batchSize?: number;
  readonly logger?: Logger;
  readonly metrics?: RunMetrics;
  /** Rate-limit budgets shared per credential (a fleet's, in Redis); the source makes its own when absent. */
  readonly budgets?: RateBudgets;
}

/**
 * Runs a pipeline to the end: every record from the source, through the operators, into every sink.
 * On success all sinks are finished (files renamed into place, uploads completed); on any failure
 * or interrupt every sink is aborted and the original error is thrown.
 */
export async function runPipeline(options: RunOptions): Promise<RunMetrics> {
  const { sinks, signal, logger = silentLogger, metrics = new RunMetrics() } = options;
  for (const sink of sinks) if (!metrics.sinks.includes(sink.metrics)) metrics.sinks.push(sink.metrics);

  let subscription: Subscription | undefined;
  let stop: (error: unknown) => void = () => {};
  const stage = new SinkStage(sinks, options.batchSize ?? 1000, (error) => stop(error));
  const records$ = applyOperators(options.source({ metrics, logger, demand: () => stage.demand(), budgets: options.budgets }), options.operators ?? []);
  const limited$ = options.limit === undefined ? records$ : records$.pipe(take(options.limit));
  const onAbort = () => stop(signal?.reason instanceof Error ? signal.reason : new InterruptedError(String(signal?.reason ?? 'SIGINT')));

  try {
    await new Promise<void>((resolve, reject) => {
      stop = (error) => {
        subscription?.unsubscribe();
        reject(error);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      subscription = limited$.subscribe({ next: (record) => stage.push(record), error: reject, complete: resolve });
    });
    await stage.flush();
    // Settle every finish before aborting any sink: an abort racing a rename or an upload's completion
    // could leave either half done.
    const finished = await Promise.allSettled(sinks.map((sink) => sink.finish()));
    const failed = finished.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    return metrics;
  } catch (error) {
    await Promise.all(sinks.map((sink) => sink.abort(error)));
    throw error;
  } finally {
    subscription?.unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}

function applyOperators(records$: Observable<DataRecord>, operators: readonly OperatorFunction<DataRecord, DataRecord>[]): Observable<DataRecord> {
  return operators.reduce((stream$, operator) => stream$.pipe(operator), records$);
}
