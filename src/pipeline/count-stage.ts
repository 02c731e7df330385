import { type OperatorFunction, tap } from 'rxjs';
import type { DataRecord } from '../record';
import type { RunMetrics, StageMetrics } from './run-metrics';

/**
 * Wraps an operator so the run's metrics count the records going into and coming out of it (`metrics.stages`).
 * Stages are a chain, so what goes into a stage is what came out of the one before: only the first
 * stage counts its input, and each record passes one counting `tap` per stage.
 */
export function countStage(metrics: RunMetrics, name: string, operator: OperatorFunction<DataRecord, DataRecord>): OperatorFunction<DataRecord, DataRecord> {
  const before = metrics.stages.at(-1);
  let input = 0;
  const stage: StageMetrics = {
    name,
    get in() {
      return before ? before.out : input;
    },
    out: 0,
  };
  metrics.stages.push(stage);
  const counted: OperatorFunction<DataRecord, DataRecord> = (records$) =>
    records$.pipe(
      operator,
      tap(() => {
        stage.out += 1;
      }),
    );
  if (before) return counted;
  return (records$) =>
    records$.pipe(
      tap(() => {
        input += 1;
      }),
      counted,
    );
}
