import { type Observable, type OperatorFunction, type Subscription, take, tap } from 'rxjs';
import { InterruptedError } from '../errors/interrupted-error';
import { RejectLimitError } from '../errors/reject-limit-error';
import { type Logger, silentLogger } from '../logger';
import type { DataRecord } from '../record';
import type { Sink } from '../sinks/sink';
import type { PageMark, Source } from '../sources/source';
import type { RejectRouter } from './reject-router';
import type { RateBudgets } from '../sources/rate-gate';
import type { OperatorState } from './operator-state';
import { RunMetrics } from './run-metrics';
import { SinkStage } from './sink-stage';
import type { StepFlow } from './step-flow';

/** Where the records the operators reject go. */
export interface RejectsOptions {
  /** The channel the operators were built with (`BuildContext.rejects`). */
  readonly channel: RejectRouter;
  /** Gets each rejected record as `{ record, step, error, page }`. Without it a reject fails the run. */
  readonly sink?: Sink;
  /** Fail the run once more than this many records were rejected. @default no limit */
  readonly maxRejects?: number;
}

export interface RunOptions {
  readonly source: Source;
  /** Applied in order, like `.pipe(...)`: built-in operators or any RxJS operator on records. */
  readonly operators?: readonly OperatorFunction<DataRecord, DataRecord>[];
  readonly sinks: readonly Sink[];
  readonly rejects?: RejectsOptions;
  /** Stop after this many records (after the operators); the sinks still get complete files. */
  readonly limit?: number;
  /** Aborting stops fetching and rolls the sinks back. A signal name as reason (`'SIGINT'`) sets the exit code. */
  readonly signal?: AbortSignal;
  /** Records per sink write after the first page (the first write is the whole first page). @default 1000 */
  readonly batchSize?: number;
  readonly logger?: Logger;
  readonly metrics?: RunMetrics;
  /** The stateful operators' state (`BuiltPipeline.operatorState`): what a checkpoint saves of them. */
  readonly operatorState?: OperatorState;
  /** Rate-limit budgets shared per credential (a fleet's, in Redis); the source makes its own when absent. */
  readonly budgets?: RateBudgets;
  /** The pipeline's `StepFlow` (`buildPipeline` makes one), when a step holds records while it works. */
  readonly flow?: StepFlow;
}

/**
 * Runs a pipeline to the end: every record from the source, through the operators, into every sink.
 * Every sink (and the rejects sink) is opened and checked before the source's first request. On
 * success all sinks are finished (files renamed into place, uploads completed); on any failure or
 * interrupt every sink is aborted and the original error is thrown.
 */
export async function runPipeline(options: RunOptions): Promise<RunMetrics> {
  const { signal, rejects, logger = silentLogger, metrics = new RunMetrics() } = options;
  const sinks = rejects?.sink ? [...options.sinks, rejects.sink] : options.sinks;
  for (const sink of sinks) if (!metrics.sinks.includes(sink.metrics)) metrics.sinks.push(sink.metrics);

  let subscription: Subscription | undefined;
  let stop: (error: unknown) => void = () => {};
  const stage = new SinkStage({
    sinks: options.sinks,
    rejects: rejects?.sink,
    batchSize: options.batchSize ?? 1000,
    onReject: () => {
      metrics.rejects += 1;
      const failure = rejectFailure(metrics.rejects, rejects);
      if (failure) stop(failure);
    },
    onFailure: (error) => stop(error),
  });
  const disconnect = rejects?.channel.connect(stage);
  const disconnectFlow = options.flow?.connect(stage);
  // Counted here, not by each source, so that every source, custom ones too, shows in the figures.
  const demand = async (mark?: PageMark) => {
    if (mark) metrics.pages = Math.max(metrics.pages, mark.index);
    await options.flow?.beforeDemand(mark);
    return stage.demand(mark);
  };
  const onAbort = () => stop(signal?.reason instanceof Error ? signal.reason : new InterruptedError(String(signal?.reason ?? 'SIGINT')));

  try {
    await Promise.all(sinks.map((sink) => sink.open()));
    await new Promise<void>((resolve, reject) => {
      stop = (error) => {
        subscription?.unsubscribe();
        reject(error);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const read$ = options.source({ metrics, logger, demand, budgets: options.budgets }).pipe(
        tap(() => {
          metrics.recordsRead += 1;
        }),
      );
      const records$ = applyOperators(read$, options.operators ?? []);
      const limited$ = options.limit === undefined ? records$ : records$.pipe(take(options.limit));
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
    await stage.cancel(error);
    await Promise.all(sinks.map((sink) => sink.abort(error)));
    throw error;
  } finally {
    subscription?.unsubscribe();
    disconnect?.();
    disconnectFlow?.();
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Why the run must stop after its `count`th reject, if it must. */
function rejectFailure(count: number, rejects: RejectsOptions | undefined): RejectLimitError | undefined {
  if (!rejects?.sink) return new RejectLimitError('a record was rejected, but the pipeline has no rejects: sink to take it');
  if (rejects.maxRejects !== undefined && count > rejects.maxRejects) {
    return new RejectLimitError(`more than ${rejects.maxRejects} records were rejected (maxRejects: ${rejects.maxRejects}): stopped`);
  }
  return undefined;
}

function applyOperators(records$: Observable<DataRecord>, operators: readonly OperatorFunction<DataRecord, DataRecord>[]): Observable<DataRecord> {
  return operators.reduce((stream$, operator) => stream$.pipe(operator), records$);
}
